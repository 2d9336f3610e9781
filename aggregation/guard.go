package aggregation

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// ReleaseRecord is an aggregator's note that it released a batch for a
// tier, and which companies' reports the release counted. The
// differencing guard reads these back.
type ReleaseRecord struct {
	Batch BatchID
	Tier  Tier
	// Companies are the contributing companies, sorted.
	Companies []string
	At        time.Time
}

// CheckDifference is the differencing guard. Two releases of the same
// period and methodology whose sets of contributing companies differ by
// a few companies describe those few: subtracting one histogram from
// the other leaves theirs. So a release of batch b counting companies
// is refused when its set differs from that of any other batch in
// released by more than zero and fewer than min companies. Releases of
// b itself (the other tier, or a retry) count the same set and pass.
//
// The difference is symmetric: companies in either set and not both.
func CheckDifference(b BatchID, companies []string,
	released []*ReleaseRecord, min int) error {
	for _, r := range released {
		if r.Batch == b || r.Batch.Period != b.Period ||
			r.Batch.Methodology != b.Methodology {
			continue
		}
		d := symmetricDifference(companies, r.Companies)
		if d > 0 && d < min {
			return fmt.Errorf("release %s: its %d contributing companies "+
				"differ from the %d of released batch %s by %d, and the "+
				"two results would describe those %d by difference; "+
				"releases of one period must differ by none or by at "+
				"least %d companies: %w", b, len(companies),
				len(r.Companies), r.Batch, d, d, min, ErrDifferencing)
		}
	}
	return nil
}

// symmetricDifference counts the strings in exactly one of a and b,
// both sorted and without repeats.
func symmetricDifference(a, b []string) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			i, j = i+1, j+1
		case a[i] < b[j]:
			n, i = n+1, i+1
		default:
			n, j = n+1, j+1
		}
	}
	return n + len(a) - i + len(b) - j
}

// contributors returns the sorted companies whose reports t counted.
func (a *Aggregator) contributors(ctx context.Context, b BatchID,
	t *tally) ([]string, error) {
	owners, err := a.cfg.Store.ReportCompanies(ctx, b)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(t.ids))
	for _, id := range t.ids {
		c, ok := owners[id]
		if !ok {
			return nil, fmt.Errorf("release %s: counted report %s has "+
				"no company: %w", b, id, ErrUnknownReport)
		}
		out = append(out, c)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// guard checks t against the releases recorded so far, without
// recording it: the leader's early check before it asks the helper.
func (a *Aggregator) guard(ctx context.Context, b BatchID, t *tally) error {
	rs, err := a.cfg.Store.Releases(ctx, b.Period, b.Methodology)
	if err != nil {
		return err
	}
	return CheckDifference(b, t.companies, rs,
		a.cfg.Methodology.Thresholds.Private)
}

// record checks t against the releases recorded so far and records it,
// in one step of the store, so that two releases racing each other
// cannot both pass.
func (a *Aggregator) record(ctx context.Context, b BatchID, tier Tier,
	t *tally) error {
	r := &ReleaseRecord{Batch: b, Tier: tier, Companies: t.companies,
		At: a.cfg.Now().UTC()}
	min := a.cfg.Methodology.Thresholds.Private
	return a.cfg.Store.RecordRelease(ctx, r,
		func(rs []*ReleaseRecord) error {
			return CheckDifference(b, t.companies, rs, min)
		})
}
