package aggregation

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
)

// Role is an aggregator's place in the protocol. Its value is the VDAF
// aggregator id.
type Role uint8

// The two aggregators.
const (
	Leader Role = 0
	Helper Role = 1
)

// String returns "leader" or "helper".
func (r Role) String() string {
	switch r {
	case Leader:
		return "leader"
	case Helper:
		return "helper"
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// ParseRole reads "leader" or "helper".
func ParseRole(s string) (Role, error) {
	switch s {
	case "leader":
		return Leader, nil
	case "helper":
		return Helper, nil
	}
	return 0, fmt.Errorf("role %q: want leader or helper: %w", s, ErrMalformed)
}

// Tier is the audience of a release: the public, or the members of the
// cohort. Each has its own threshold in the methodology.
type Tier uint8

// The two tiers.
const (
	Public  Tier = 0
	Private Tier = 1
)

// String returns "public" or "private".
func (t Tier) String() string {
	if t == Private {
		return "private"
	}
	return "public"
}

// BatchID names a batch: one cohort at one assignment version, one
// calendar month and one methodology version.
type BatchID struct {
	Cohort      string // cohort id and version, "support-smb@3"
	Period      string // "YYYY-MM"
	Methodology string // "v1"
}

var (
	cohortRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}@[1-9][0-9]{0,8}$`)
	periodRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)
	versRE   = regexp.MustCompile(`^v[1-9][0-9]{0,5}$`)
)

// String returns "cohort/period/methodology", the form used in logs,
// URLs and errors.
func (b BatchID) String() string {
	return b.Cohort + "/" + b.Period + "/" + b.Methodology
}

// Validate reports whether every part of b is well formed.
func (b BatchID) Validate() error {
	switch {
	case !cohortRE.MatchString(b.Cohort):
		return fmt.Errorf("batch cohort %q: want id@version: %w",
			b.Cohort, ErrMalformed)
	case !periodRE.MatchString(b.Period):
		return fmt.Errorf("batch period %q: want YYYY-MM: %w",
			b.Period, ErrMalformed)
	case !versRE.MatchString(b.Methodology):
		return fmt.Errorf("batch methodology %q: want vN: %w",
			b.Methodology, ErrMalformed)
	}
	return nil
}

// ReportID is a report's random identifier. It is also the Prio3 nonce,
// so every report's shares are bound to it.
type ReportID [16]byte

// NewReportID returns a random report id.
func NewReportID() (ReportID, error) {
	var id ReportID
	_, err := rand.Read(id[:])
	return id, err
}

// String returns the id in hex.
func (id ReportID) String() string { return hex.EncodeToString(id[:]) }

// ParseReportID reads an id in hex.
func ParseReportID(s string) (ReportID, error) {
	var id ReportID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("report id %q: want 32 hex digits: %w",
			s, ErrMalformed)
	}
	copy(id[:], b)
	return id, nil
}

// JobID names an aggregation job.
type JobID [16]byte

// NewJobID returns a random job id.
func NewJobID() (JobID, error) {
	var id JobID
	_, err := rand.Read(id[:])
	return id, err
}

// String returns the id in hex.
func (id JobID) String() string { return hex.EncodeToString(id[:]) }
