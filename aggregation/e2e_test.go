package aggregation_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/vdaf"
	"github.com/infermargin/infermargin/crypto/vdaf/vdaftest"
	"github.com/infermargin/infermargin/methodology"
)

// cohortData is one cohort's plaintext truth: each company's bucket
// index per metric.
type cohortData struct {
	batch   aggregation.BatchID
	buckets [][]uint64 // [company][metric]
}

// fill enrolls n companies in a new batch and uploads one report each,
// with bucket indices drawn from rng; naRate of the values are n/a.
func (w *world) fill(t *testing.T, rng *rand.Rand, cohort string, n int,
	naRate float64) *cohortData {
	t.Helper()
	d := &cohortData{batch: batch(cohort)}
	w.open(t, d.batch)
	for i := range n {
		c := w.enroll(t, companyName(cohort, i))
		meas := make([]uint64, len(w.m.Metrics))
		for j := range w.m.Metrics {
			mt := &w.m.Metrics[j]
			meas[j] = uint64(rng.IntN(mt.NumBuckets() - 1))
			if rng.Float64() < naRate {
				meas[j] = uint64(mt.NA())
			}
		}
		r, err := c.NewReport(d.batch, meas)
		if err != nil {
			t.Fatal(err)
		}
		if errs := w.upload(r); errs != [2]error{} {
			t.Fatalf("upload %s: %v", r.ID, errs)
		}
		d.buckets = append(d.buckets, meas)
	}
	return d
}

func companyName(cohort string, i int) string {
	return fmt.Sprintf("%s-co-%03d", strings.TrimSuffix(cohort, "@1"), i)
}

// wantPercentiles computes metric j's percentiles straight from the
// plaintext bucket indices, by sorting them: nearest rank,
// r = ceil(p*n/100), over the defined values.
func wantPercentiles(m *methodology.Methodology, d *cohortData, j int,
	min uint64) aggregation.PublishedMetric {
	mt := &m.Metrics[j]
	var idx []int
	for _, meas := range d.buckets {
		if int(meas[j]) != mt.NA() {
			idx = append(idx, int(meas[j]))
		}
	}
	slices.Sort(idx)
	pm := aggregation.PublishedMetric{Name: mt.Name, N: uint64(len(idx))}
	if pm.N < min {
		pm.Suppressed = true
		return pm
	}
	for _, p := range m.PercentileRule.Points {
		r := (p*len(idx) + 99) / 100
		rg, _ := mt.Range(idx[r-1])
		pm.Percentiles = append(pm.Percentiles,
			methodology.Percentile{P: p, Bucket: idx[r-1], Range: rg})
	}
	return pm
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run of 240 reports; skipped with -short")
	}
	w := newWorld(t)
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []struct {
		name   string
		n      int
		naRate float64
	}{
		{"c120@1", 120, 0.1}, {"c50@1", 50, 0}, {"c30@1", 30, 0},
		{"c29@1", 29, 0}, {"c9@1", 9, 0},
	}
	data := map[string]*cohortData{}
	for _, s := range sizes {
		data[s.name] = w.fill(t, rng, s.name, s.n, s.naRate)
	}
	forged := w.uploadForged(t, data["c120@1"].batch)

	for _, s := range sizes {
		w.close(t, data[s.name].batch)
		st := w.aggregate(t, data[s.name].batch)
		wantRejected := 0
		if s.name == "c120@1" {
			wantRejected = 1
		}
		if st.Accepted != s.n || st.Rejected != wantRejected {
			t.Errorf("%s: accepted %d, rejected %d; want %d, %d",
				s.name, st.Accepted, st.Rejected, s.n, wantRejected)
		}
	}
	w.checkDropped(t, forged)

	for _, c := range []string{"c120@1", "c50@1", "c30@1"} {
		w.checkPublished(t, data[c], aggregation.Public)
	}
	w.checkRefused(t, data["c29@1"].batch, aggregation.Public)
	w.checkPublished(t, data["c29@1"], aggregation.Private)
	w.checkRefused(t, data["c9@1"].batch, aggregation.Public)
	w.checkRefused(t, data["c9@1"].batch, aggregation.Private)
}

// uploadForged uploads, from one more company, a report whose first
// metric encodes two ones. Both aggregators accept the upload: only the
// joint proof can tell.
func (w *world) uploadForged(t *testing.T, b aggregation.BatchID) aggregation.ReportID {
	t.Helper()
	c := w.enroll(t, "cheater")
	id, _ := aggregation.NewReportID()
	nonce := vdaf.Nonce(id)
	s, err := c.VDAF().Shard([]uint64{3, 1, 1, 1, 1}, &nonce)
	if err != nil {
		t.Fatal(err)
	}
	if err := vdaftest.AddOne(c.VDAF(), s, &nonce, 0, 7); err != nil {
		t.Fatal(err)
	}
	r, err := c.Assemble(b, id, s)
	if err != nil {
		t.Fatal(err)
	}
	if errs := w.upload(r); errs != [2]error{} {
		t.Fatalf("upload forged report: %v", errs)
	}
	return id
}

// checkDropped checks that both aggregators dropped the forged report as
// an invalid share.
func (w *world) checkDropped(t *testing.T, id aggregation.ReportID) {
	t.Helper()
	for i, s := range w.Stores {
		sr, err := s.Report(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.JobResult(context.Background(), *sr.Job)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Outcomes {
			if o.ID == id && (o.Accepted || o.Reason != "invalid_share") {
				t.Errorf("%s: forged report outcome %+v, want dropped "+
					"as invalid_share", aggregation.Role(i), o)
			}
		}
	}
}

func (w *world) checkPublished(t *testing.T, d *cohortData,
	tier aggregation.Tier) {
	t.Helper()
	p, err := w.publish(d.batch, tier)
	if err != nil {
		t.Fatalf("publish %s (%s): %v", d.batch, tier, err)
	}
	if p.Count != uint64(len(d.buckets)) {
		t.Errorf("publish %s: count %d, want %d", d.batch, p.Count,
			len(d.buckets))
	}
	min := uint64(w.m.Thresholds.Public)
	if tier == aggregation.Private {
		min = uint64(w.m.Thresholds.Private)
	}
	for j, got := range p.Metrics {
		want := wantPercentiles(w.m, d, j, min)
		got.Reason = ""
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("publish %s (%s) %s (-want +got):\n%s", d.batch,
				tier, want.Name, diff)
		}
	}
}

// checkRefused checks that the leader refuses the release on its own,
// without asking the helper, and that the helper, asked directly with
// the true count and checksum, refuses too.
func (w *world) checkRefused(t *testing.T, b aggregation.BatchID,
	tier aggregation.Tier) {
	t.Helper()
	ctx := context.Background()
	_, err := w.leader().Collect(ctx, b, tier, refusingPeer{t})
	if !errors.Is(err, aggregation.ErrBelowThreshold) {
		t.Errorf("leader Collect(%s, %s) = %v, want %v", b, tier, err,
			aggregation.ErrBelowThreshold)
	}
	ids := w.acceptedIDs(t, b)
	req := &aggregation.ShareRequest{Batch: b, Tier: tier,
		Count: uint64(len(ids)), Checksum: aggregation.Checksum(ids)}
	_, err = w.helper().AggregateShare(ctx, req)
	if !errors.Is(err, aggregation.ErrBelowThreshold) {
		t.Errorf("helper AggregateShare(%s, %s) = %v, want %v", b, tier,
			err, aggregation.ErrBelowThreshold)
	}
}

func (w *world) acceptedIDs(t *testing.T, b aggregation.BatchID) []aggregation.ReportID {
	t.Helper()
	results, err := w.Stores[1].Results(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	var ids []aggregation.ReportID
	for _, r := range results {
		for _, o := range r.Outcomes {
			if o.Accepted {
				ids = append(ids, o.ID)
			}
		}
	}
	return ids
}

// refusingPeer fails the test if the leader asks it anything.
type refusingPeer struct{ t *testing.T }

func (p refusingPeer) Aggregate(context.Context, *aggregation.JobRequest) (
	*aggregation.JobResponse, error) {
	p.t.Error("leader asked the helper to aggregate")
	return nil, errors.New("refused")
}

func (p refusingPeer) AggregateShare(context.Context,
	*aggregation.ShareRequest) (*aggregation.Release, error) {
	p.t.Error("leader asked the helper for its share below threshold")
	return nil, errors.New("refused")
}
