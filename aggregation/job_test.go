package aggregation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/infermargin/infermargin/aggregation"
)

// flakyPeer forwards to the helper, but the first call of Aggregate
// fails: before the helper sees it (lose == "request") or after the
// helper committed, with the answer lost (lose == "response").
type flakyPeer struct {
	*aggregation.Aggregator
	lose  string
	calls int
}

var errLost = errors.New("connection reset")

func (p *flakyPeer) Aggregate(ctx context.Context,
	req *aggregation.JobRequest) (*aggregation.JobResponse, error) {
	p.calls++
	if p.calls > 1 {
		return p.Aggregator.Aggregate(ctx, req)
	}
	if p.lose == "response" {
		p.Aggregator.Aggregate(ctx, req)
	}
	return nil, errLost
}

// distinctBatch uploads n reports whose first metric falls in buckets
// 0..n-1, one report per bucket while there are enough buckets, so a
// report counted twice shows as a 2.
func distinctBatch(t testing.TB, w *world, cohort string,
	n int) aggregation.BatchID {
	t.Helper()
	b := batch(cohort)
	w.open(t, b)
	top := w.m.Metrics[0].NumBuckets() - 1
	for i := range n {
		c := w.enroll(t, companyName(cohort, i))
		r := must(c.NewReport(b, []uint64{uint64(i % top), 0, 0, 0, 0}))
		if errs := w.upload(r); errs != [2]error{} {
			t.Fatal(errs)
		}
	}
	w.close(t, b)
	return b
}

func TestJobRetry(t *testing.T) {
	for _, lose := range []string{"request", "response"} {
		t.Run("lost "+lose, func(t *testing.T) {
			w := newWorld(t)
			const n = 12
			b := distinctBatch(t, w, "retry@1", n)
			peer := &flakyPeer{Aggregator: w.helper(), lose: lose}
			ctx := context.Background()
			_, err := w.leader().RunJobs(ctx, b, peer, 5)
			if !errors.Is(err, errLost) {
				t.Fatalf("first RunJobs = %v, want %v", err, errLost)
			}
			st, err := w.leader().RunJobs(ctx, b, peer, 5)
			if err != nil {
				t.Fatal(err)
			}
			if st.Accepted != n {
				t.Errorf("second run accepted %d, want %d", st.Accepted, n)
			}
			w.checkOnce(t, b, n)
		})
	}
}

// checkOnce releases b privately and checks the first metric's histogram
// through its percentiles and the count: n reports, each once.
func (w *world) checkOnce(t *testing.T, b aggregation.BatchID, n int) {
	t.Helper()
	p, err := w.publish(b, aggregation.Private)
	if err != nil {
		t.Fatal(err)
	}
	if p.Count != uint64(n) || p.Metrics[0].N != uint64(n) {
		t.Errorf("count %d, n %d; want %d each", p.Count, p.Metrics[0].N, n)
	}
	for _, pc := range p.Metrics[0].Percentiles {
		want := (pc.P*n+99)/100 - 1
		if pc.Bucket != want {
			t.Errorf("p%d in bucket %d, want %d", pc.P, pc.Bucket, want)
		}
	}
}

func TestJobConflict(t *testing.T) {
	w := newWorld(t)
	b := distinctBatch(t, w, "conflict@1", 12)
	ctx := context.Background()
	if _, err := w.leader().RunJobs(ctx, b, w.helper(), 10); err != nil {
		t.Fatal(err)
	}
	results, _ := w.Stores[1].Results(ctx, b)
	done := results[0]

	again := &aggregation.JobRequest{Job: done.Job, Batch: b}
	_, err := w.helper().Aggregate(ctx, again)
	if !errors.Is(err, aggregation.ErrJobConflict) {
		t.Errorf("job id reused for other reports = %v, want %v", err,
			aggregation.ErrJobConflict)
	}

	req := &aggregation.JobRequest{Job: must(aggregation.NewJobID()),
		Batch: b}
	for _, o := range done.Outcomes {
		req.Reports = append(req.Reports,
			aggregation.PrepInitMsg{ID: o.ID, PrepShares: make([][]byte, 5)})
	}
	resp, err := w.helper().Aggregate(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resp.Results {
		if r.Reason != "already_counted" {
			t.Errorf("report %s counted again: reason %q", r.ID, r.Reason)
		}
	}
	dup := &aggregation.JobRequest{Job: must(aggregation.NewJobID()),
		Batch: b, Reports: []aggregation.PrepInitMsg{req.Reports[0],
			req.Reports[0]}}
	if _, err := w.helper().Aggregate(ctx, dup); !errors.Is(err,
		aggregation.ErrMalformed) {
		t.Errorf("job naming a report twice = %v, want %v", err,
			aggregation.ErrMalformed)
	}
	w.checkOnce(t, b, 12)
}

func TestJobNeedsClosedBatch(t *testing.T) {
	w := newWorld(t)
	b := batch("open@1")
	w.open(t, b)
	_, err := w.leader().RunJobs(context.Background(), b, w.helper(), 10)
	if !errors.Is(err, aggregation.ErrBatchOpen) {
		t.Errorf("RunJobs(open batch) = %v, want %v", err,
			aggregation.ErrBatchOpen)
	}
}

// lyingPeer changes the leader's count before the helper sees it.
type lyingPeer struct{ *aggregation.Aggregator }

func (p lyingPeer) AggregateShare(ctx context.Context,
	req *aggregation.ShareRequest) (*aggregation.Release, error) {
	r := *req
	r.Count--
	return p.Aggregator.AggregateShare(ctx, &r)
}

// otherTierPeer answers with the helper's release of another tier.
type otherTierPeer struct{ *aggregation.Aggregator }

func (p otherTierPeer) AggregateShare(ctx context.Context,
	req *aggregation.ShareRequest) (*aggregation.Release, error) {
	r := *req
	r.Tier = aggregation.Private
	return p.Aggregator.AggregateShare(ctx, &r)
}

func TestReleaseChecks(t *testing.T) {
	w := newWorld(t)
	b := distinctBatch(t, w, "release@1", 30)
	ctx := context.Background()
	w.aggregate(t, b)
	tests := []struct {
		name string
		peer aggregation.Peer
		want error
	}{
		{"helper sees another count", lyingPeer{w.helper()},
			aggregation.ErrMismatch},
		{"helper releases another tier", otherTierPeer{w.helper()},
			aggregation.ErrStatement},
	}
	for _, tc := range tests {
		_, err := w.leader().Collect(ctx, b, aggregation.Public, tc.peer)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: Collect = %v, want %v", tc.name, err, tc.want)
		}
	}

	c, err := w.leader().Collect(ctx, b, aggregation.Public, w.helper())
	if err != nil {
		t.Fatal(err)
	}
	c.Releases[1].Shares[0], c.Releases[1].Shares[1] =
		c.Releases[1].Shares[1], c.Releases[1].Shares[0]
	if _, err := w.Publisher.Publish(c); !errors.Is(err, aggregation.ErrDecrypt) {
		t.Errorf("Publish(swapped shares) = %v, want %v", err,
			aggregation.ErrDecrypt)
	}
}

var contextBG = context.Background()

// distinctBatchF is a closed, aggregated batch of ten reports.
func distinctBatchF(t testing.TB, w *world) aggregation.BatchID {
	b := distinctBatch(t, w, "fuzz@1", 10)
	w.aggregate(t, b)
	return b
}
