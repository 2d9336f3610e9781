package aggregation

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/infermargin/infermargin/crypto/wire"
	"github.com/infermargin/infermargin/methodology"
)

// CohortVersion is one version of a cohort: its criteria and the
// companies it held when the version was made. A version never changes;
// any change of members or criteria makes the next version, so a batch
// opened at "support@3" always counts the same companies.
type CohortVersion struct {
	ID       string
	Version  int
	Criteria methodology.Criteria
	// Members are the approved member companies, sorted.
	Members []string
}

// Ref returns "id@version", the cohort part of a batch id.
func (c *CohortVersion) Ref() string {
	return c.ID + "@" + strconv.Itoa(c.Version)
}

// Digest is what the two aggregators compare before a batch opens: the
// SHA-256 of the cohort id, version, criteria and sorted members, each
// length-prefixed. Equal digests mean both hold the same cohort version.
func (c *CohortVersion) Digest() [32]byte {
	var b wire.Builder
	b.AddString("infermargin/cohort/v1")
	b.AddString(c.ID)
	b.AddUint64(uint64(c.Version))
	b.AddString(c.Criteria.UseCase)
	b.AddString(c.Criteria.ARRBand)
	members := slices.Clone(c.Members)
	slices.Sort(members)
	b.AddUint64(uint64(len(members)))
	for _, m := range members {
		b.AddString(m)
	}
	return sha256.Sum256(b.Bytes())
}

// Has reports whether company is a member of c.
func (c *CohortVersion) Has(company string) bool {
	_, ok := slices.BinarySearch(c.Members, company)
	return ok
}

// ParseCohortRef splits "id@version" into its parts.
func ParseCohortRef(ref string) (id string, version int, err error) {
	if !cohortRE.MatchString(ref) {
		return "", 0, fmt.Errorf("cohort %q: want id@version: %w",
			clip(ref), ErrMalformed)
	}
	id, v, _ := strings.Cut(ref, "@")
	version, err = strconv.Atoi(v)
	if err != nil {
		return "", 0, fmt.Errorf("cohort %q: %w", ref, ErrMalformed)
	}
	return id, version, nil
}

// CheckCohortID reports whether id can name a cohort.
func CheckCohortID(id string) error {
	_, _, err := ParseCohortRef(id + "@1")
	return err
}
