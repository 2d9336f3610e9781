package servertest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/hpke"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
)

// Company is a synthetic company: its client and its plaintext bucket
// per metric, which only the test knows.
type Company struct {
	ID      string
	Client  *aggregation.Client
	Signer  *sign.Signer
	Key     *sign.Verifier
	Buckets []uint64
	// Answers are its questionnaire answers, DefaultAnswers unless a
	// test changes them before enrolling it.
	Answers methodology.Answers
}

// DefaultAnswers are the answers of a synthetic company.
var DefaultAnswers = methodology.Answers{UseCase: "customer_support",
	ARRBand: "1-5M", TeamSize: "11-50"}

// Companies makes n companies with bucket indices drawn from rng. When
// distinct is true, company i gets bucket i mod (buckets-1) in every
// metric, so a report counted twice shows as a 2 where a 1 belongs.
func Companies(m *methodology.Methodology, n int, rng *rand.Rand,
	distinct bool, keys [2]*hpke.PublicKey) ([]*Company, error) {
	var out []*Company
	for i := range n {
		s, err := sign.GenerateSigner()
		if err != nil {
			return nil, err
		}
		c := &Company{ID: fmt.Sprintf("co-%04d", i), Signer: s,
			Answers: DefaultAnswers}
		if c.Key, err = s.Verifier(); err != nil {
			return nil, err
		}
		c.Client, err = aggregation.NewClient(m, c.ID, s, keys[0], keys[1])
		if err != nil {
			return nil, err
		}
		for j := range m.Metrics {
			k := m.Metrics[j].NumBuckets() - 1 // defined buckets
			b := rng.IntN(k + 1)               // n/a included
			if distinct {
				b = i % k
			}
			c.Buckets = append(c.Buckets, uint64(b))
		}
		out = append(out, c)
	}
	return out, nil
}

// EnrollAll enrolls every company with each node and has each node's
// operator approve them all in one decision.
func EnrollAll(ctx context.Context, cs []*Company, nodes ...*Admin) error {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	for _, n := range nodes {
		for _, c := range cs {
			if err := n.Enroll(ctx, c); err != nil {
				return fmt.Errorf("enroll %s: %w", c.ID, err)
			}
		}
		if _, err := n.Approve(ctx, "test companies", ids...); err != nil {
			return fmt.Errorf("approve: %w", err)
		}
	}
	return nil
}

// DefineAll defines a cohort on each node and returns the reference of
// its version 1, after checking that every node holds the same one.
func DefineAll(ctx context.Context, id string, c methodology.Criteria,
	nodes ...*Admin) (string, error) {
	var first *api.Cohort
	for _, n := range nodes {
		co, err := n.DefineCohort(ctx, id, c)
		if err != nil {
			return "", fmt.Errorf("define %s: %w", id, err)
		}
		if first != nil && (co.Ref != first.Ref ||
			co.Digest != first.Digest) {
			return "", fmt.Errorf("define %s: nodes hold %s and %s", id,
				first.Ref, co.Ref)
		}
		first = co
	}
	return first.Ref, nil
}

// Histograms is the plaintext histogram of each metric.
func Histograms(m *methodology.Methodology, cs []*Company) [][]uint64 {
	out := make([][]uint64, len(m.Metrics))
	for j := range m.Metrics {
		out[j] = make([]uint64, m.Metrics[j].NumBuckets())
		for _, c := range cs {
			out[j][c.Buckets[j]]++
		}
	}
	return out
}

// Want is the published report the truth implies for the public tier:
// per metric n and the nearest-rank percentiles over the defined
// values, found by sorting, independently of methodology.Percentiles.
func Want(m *methodology.Methodology, cs []*Company) []api.ReportMetric {
	return WantAt(m, cs, m.Thresholds.Public)
}

// WantAt is Want for a tier whose threshold is min, such as the
// private tier's.
func WantAt(m *methodology.Methodology, cs []*Company,
	min int) []api.ReportMetric {
	var out []api.ReportMetric
	for j := range m.Metrics {
		mt := &m.Metrics[j]
		var idx []int
		for _, c := range cs {
			if int(c.Buckets[j]) != mt.NA() {
				idx = append(idx, int(c.Buckets[j]))
			}
		}
		slices.Sort(idx)
		n := uint64(len(idx))
		rm := api.ReportMetric{Name: mt.Name, N: &n,
			Percentiles: map[string]api.BucketRange{}}
		if len(idx) < min {
			rm = api.ReportMetric{Name: mt.Name, Suppressed: true}
			out = append(out, rm)
			continue
		}
		for _, p := range m.PercentileRule.Points {
			r := (p*len(idx) + 99) / 100
			rg, _ := mt.Range(idx[r-1])
			rm.Percentiles[fmt.Sprintf("p%d", p)] = api.BucketRange{
				Lo: rg.Lo, Hi: rg.Hi}
		}
		out = append(out, rm)
	}
	return out
}

// Diff compares published metrics with Want, ignoring the wording of
// suppression reasons but requiring each suppressed metric to give one.
// It returns "" when they agree.
func Diff(want, got []api.ReportMetric) string {
	for _, m := range got {
		if m.Suppressed && m.Reason == "" {
			return fmt.Sprintf("metric %s suppressed without a reason",
				m.Name)
		}
	}
	return cmp.Diff(want, got,
		cmpopts.IgnoreFields(api.ReportMetric{}, "Reason"))
}
