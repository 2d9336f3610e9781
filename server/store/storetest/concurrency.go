package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/infermargin/infermargin/aggregation"
)

// workers is how many goroutines race in the concurrency tests, standing
// for replicas of one node.
const workers = 4

var concurrencyTests = []test[aggStore]{
	{"ClaimsDisjoint", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 40)
		closeBatch(t, s, batchA, t0)
		got := make([][]aggregation.ReportID, workers)
		errs := race(func(w int) error {
			l := lease(fmt.Sprintf("replica-%d", w), leaseA.Until)
			for {
				id, err := aggregation.NewJobID()
				if err != nil {
					return err
				}
				j, err := s.ClaimJob(ctx(t), batchA, id, 3, l)
				if err != nil || len(j.Reports) == 0 {
					return err
				}
				got[w] = append(got[w], j.Reports...)
			}
		})
		for w, err := range errs {
			checkErr(t, fmt.Sprintf("worker %d: ClaimJob", w), err, nil)
		}
		var all []aggregation.ReportID
		for _, ids := range got {
			all = append(all, ids...)
		}
		if d := dupes(all); len(d) > 0 {
			t.Errorf("reports claimed twice: %v", d)
		}
		wantSameIDs(t, "reports claimed", all, reportIDs(rs))
	}},
	{"OneCommitCounts", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 1)
		closeBatch(t, s, batchA, t0)
		res := make([]*aggregation.JobResult, workers)
		for w := range res {
			res[w] = newResult(t, newJobID(t), batchA, accept(rs[0].ID))
		}
		errs := race(func(w int) error {
			return s.CommitJob(ctx(t), res[w])
		})
		won := wantOneWinner(t, errs, aggregation.ErrCounted)
		if won >= 0 {
			wantResults(t, s, batchA, res[won])
			wantReport(t, s, rs[0], t0, &res[won].Job)
		}
	}},
	{"OneCommitPerJob", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, workers)
		closeBatch(t, s, batchA, t0)
		job := newJobID(t)
		res := make([]*aggregation.JobResult, workers)
		for w := range res {
			res[w] = newResult(t, job, batchA, accept(rs[w].ID))
		}
		errs := race(func(w int) error {
			return s.CommitJob(ctx(t), res[w])
		})
		won := wantOneWinner(t, errs, aggregation.ErrJobConflict)
		if won >= 0 {
			wantResults(t, s, batchA, res[won])
			wantUndecided(t, s, batchA, workers-1)
		}
	}},
}

// race runs f on workers goroutines at once and returns their errors.
func race(f func(w int) error) []error {
	errs := make([]error, workers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			<-start
			errs[w] = f(w)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// wantOneWinner checks that exactly one of errs is nil and the others
// are loser, and returns the winner's index, or -1.
func wantOneWinner(t *testing.T, errs []error, loser error) int {
	t.Helper()
	won := -1
	for w, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Errorf("workers %d and %d both succeeded", won, w)
		case err == nil:
			won = w
		case !errors.Is(err, loser):
			t.Errorf("worker %d: %v, want nil or %v", w, err, loser)
		}
	}
	if won < 0 {
		t.Errorf("no worker succeeded: %v", errs)
	}
	return won
}
