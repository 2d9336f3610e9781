package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/infermargin/infermargin/aggregation"
)

var claimTests = []test[aggStore]{
	{"UpToN", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 5)
		j1 := claimJob(t, s, batchA, 2, leaseA)
		wantJobShape(t, j1, batchA, 2)
		j2 := claimJob(t, s, batchA, 10, leaseA)
		wantJobShape(t, j2, batchA, 3)
		wantSameIDs(t, "reports of both jobs",
			append(slices.Clone(j1.Reports), j2.Reports...), reportIDs(rs))
		j3 := claimJob(t, s, batchA, 10, leaseA)
		wantJobShape(t, j3, batchA, 0)
	}},
	{"EmptyRecordsNothing", func(t *testing.T, s aggStore) {
		putReports(t, s, batchA, 2)
		j1 := claimJob(t, s, batchA, 10, leaseA)
		empty := newJobID(t)
		got, err := s.ClaimJob(ctx(t), batchA, empty, 10, leaseA)
		checkErr(t, "ClaimJob(none left)", err, nil)
		wantJobShape(t, got, batchA, 0)
		if got.ID != empty {
			t.Errorf("ClaimJob(none left).ID = %s, want %s", got.ID, empty)
		}
		wantPending(t, s, batchA, leaseA, t0, j1)

		r := newReport(t, batchA, "late")
		putReport(t, s, r, t0)
		got, err = s.ClaimJob(ctx(t), batchA, empty, 10, leaseA)
		checkErr(t, "ClaimJob(id of the empty job)", err, nil)
		wantSameIDs(t, "reports of the reused id", got.Reports,
			[]aggregation.ReportID{r.ID})
	}},
	{"ZeroOrNegativeN", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 3)
		for _, n := range []int{0, -1} {
			j := claimJob(t, s, batchA, n, leaseA)
			wantJobShape(t, j, batchA, 0)
		}
		j := claimJob(t, s, batchA, 10, leaseA)
		wantSameIDs(t, "reports after n <= 0", j.Reports, reportIDs(rs))
	}},
	{"StableOrder", func(t *testing.T, s aggStore) {
		putReports(t, s, batchA, 8)
		j := claimJob(t, s, batchA, 6, leaseA)
		wantPending(t, s, batchA, leaseA, t0, j)
		wantPending(t, s, batchA, leaseA, t0, j)
	}},
	{"OtherBatchesUntouched", func(t *testing.T, s aggStore) {
		ra := putReports(t, s, batchA, 3)
		rb := putReports(t, s, batchB, 3)
		rc := putReports(t, s, batchC, 2)
		j := claimJob(t, s, batchA, 10, leaseA)
		wantSameIDs(t, "reports of batchA's job", j.Reports, reportIDs(ra))
		wantUndecided(t, s, batchB, 3)
		j = claimJob(t, s, batchB, 10, leaseA)
		wantSameIDs(t, "reports of batchB's job", j.Reports, reportIDs(rb))
		j = claimJob(t, s, batchC, 10, leaseA)
		wantSameIDs(t, "reports of batchC's job", j.Reports, reportIDs(rc))
	}},
	{"UnknownBatch", func(t *testing.T, s aggStore) {
		putReports(t, s, batchA, 1)
		_, err := s.ClaimJob(ctx(t), batchB, newJobID(t), 10, leaseA)
		checkErr(t, "ClaimJob(unknown batch)", err,
			aggregation.ErrUnknownBatch)
	}},
	{"SkipsDecided", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 3)
		closeBatch(t, s, batchA, t0)
		commitJob(t, s, newResult(t, newJobID(t), batchA,
			accept(rs[0].ID), reject(rs[1].ID)))
		j := claimJob(t, s, batchA, 10, leaseA)
		wantSameIDs(t, "reports of job after commit", j.Reports,
			[]aggregation.ReportID{rs[2].ID})
	}},
	{"ReplacedReportFree", func(t *testing.T, s aggStore) {
		openBatch(t, s, batchA)
		old := newReport(t, batchA, "acme")
		putReport(t, s, old, t0)
		claimJob(t, s, batchA, 10, leaseA)
		cur := newReport(t, batchA, "acme")
		putReport(t, s, cur, t1)
		j := claimJob(t, s, batchA, 10, leaseA)
		wantSameIDs(t, "reports of job after replace", j.Reports,
			[]aggregation.ReportID{cur.ID})
	}},
	{"JobIDReused", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 4)
		j := claimJob(t, s, batchA, 2, leaseA)
		_, err := s.ClaimJob(ctx(t), batchA, j.ID, 2, leaseA)
		checkErr(t, "ClaimJob(used id)", err, aggregation.ErrJobConflict)
		wantPending(t, s, batchA, leaseA, t0, j)
		rest := claimJob(t, s, batchA, 10, leaseA)
		wantSameIDs(t, "reports of both jobs",
			append(slices.Clone(j.Reports), rest.Reports...), reportIDs(rs))
	}},
}

// Leases of the suite's replicas. leaseA ends a minute after t0.
var (
	leaseA = lease("replica-a", t0.Add(time.Minute))
	leaseB = lease("replica-b", t0.Add(3*time.Minute))
	leaseC = lease("replica-c", t0.Add(5*time.Minute))
)

func lease(holder string, until time.Time) aggregation.Lease {
	return aggregation.Lease{Holder: holder, Until: until}
}

var pendingTests = []test[aggStore]{
	{"SameHolderAtOnce", func(t *testing.T, s aggStore) {
		putReports(t, s, batchA, 2)
		j := claimJob(t, s, batchA, 10, leaseA)
		wantPending(t, s, batchA, leaseA, t0, j)
	}},
	{"OtherHolderWaits", func(t *testing.T, s aggStore) {
		putReports(t, s, batchA, 2)
		j := claimJob(t, s, batchA, 10, leaseA)
		ends := leaseA.Until
		wantPending(t, s, batchA, leaseB, ends.Add(-time.Microsecond))
		wantPending(t, s, batchA, leaseB, ends, j)

		// B holds it now, until leaseB.Until: A and C wait again.
		wantPending(t, s, batchA, leaseA, ends)
		wantPending(t, s, batchA, leaseC, ends.Add(time.Minute))
		wantPending(t, s, batchA, leaseB, ends.Add(time.Minute), j)
		wantPending(t, s, batchA, leaseC, leaseB.Until, j)
	}},
	{"SameHolderRenews", func(t *testing.T, s aggStore) {
		putReports(t, s, batchA, 2)
		j := claimJob(t, s, batchA, 10, leaseA)
		longer := lease(leaseA.Holder, t0.Add(10*time.Minute))
		wantPending(t, s, batchA, longer, t0, j)
		wantPending(t, s, batchA, leaseB, leaseA.Until)
		wantPending(t, s, batchA, leaseB, longer.Until, j)
	}},
	{"OldestFirst", func(t *testing.T, s aggStore) {
		putReports(t, s, batchA, 4)
		// Claim in descending id order, so a store that lists by id
		// rather than by age fails.
		ids := []aggregation.JobID{newJobID(t), newJobID(t), newJobID(t),
			newJobID(t)}
		slices.SortFunc(ids, func(x, y aggregation.JobID) int {
			return bytes.Compare(y[:], x[:])
		})
		var jobs []*aggregation.Job
		for _, id := range ids {
			j, err := s.ClaimJob(ctx(t), batchA, id, 1, leaseA)
			checkErr(t, "ClaimJob", err, nil)
			jobs = append(jobs, j)
		}
		wantPending(t, s, batchA, leaseB, leaseA.Until, jobs...)
	}},
	{"SkipsCommitted", func(t *testing.T, s aggStore) {
		putReports(t, s, batchA, 4)
		j1 := claimJob(t, s, batchA, 2, leaseA)
		j2 := claimJob(t, s, batchA, 2, leaseA)
		commitJob(t, s, newResult(t, j1.ID, batchA, accept(j1.Reports...)))
		wantPending(t, s, batchA, leaseA, t0, j2)
		wantPending(t, s, batchA, leaseB, leaseA.Until, j2)
	}},
	{"OtherBatch", func(t *testing.T, s aggStore) {
		putReports(t, s, batchA, 2)
		putReports(t, s, batchB, 2)
		ja := claimJob(t, s, batchA, 10, leaseA)
		jb := claimJob(t, s, batchB, 10, leaseA)
		wantPending(t, s, batchA, leaseA, t0, ja)
		wantPending(t, s, batchB, leaseA, t0, jb)
	}},
}

func claimJob(t *testing.T, s aggStore, b aggregation.BatchID, n int,
	l aggregation.Lease) *aggregation.Job {
	t.Helper()
	id := newJobID(t)
	j, err := s.ClaimJob(ctx(t), b, id, n, l)
	checkErr(t, fmt.Sprintf("ClaimJob(%s, %d)", b, n), err, nil)
	if j.ID != id {
		t.Fatalf("ClaimJob(%s, %d).ID = %s, want %s", b, n, j.ID, id)
	}
	return j
}

// wantJobShape checks a claimed job's batch, size, and that it names no
// report twice.
func wantJobShape(t *testing.T, j *aggregation.Job, b aggregation.BatchID,
	n int) {
	t.Helper()
	if j.Batch != b {
		t.Errorf("job %s: Batch = %s, want %s", j.ID, j.Batch, b)
	}
	if len(j.Reports) != n {
		t.Errorf("job %s: %d reports, want %d", j.ID, len(j.Reports), n)
	}
	if d := dupes(j.Reports); len(d) > 0 {
		t.Errorf("job %s: reports %v twice", j.ID, d)
	}
}

func wantPending(t *testing.T, s aggStore, b aggregation.BatchID,
	l aggregation.Lease, now time.Time, want ...*aggregation.Job) {
	t.Helper()
	got, err := s.PendingJobs(ctx(t), b, l, now)
	call := fmt.Sprintf("PendingJobs(%s, %s, now=%s)", b, l.Holder,
		now.Format(time.RFC3339Nano))
	wantList(t, call, got, err, want, jobID)
}

// wantSameIDs checks that got holds each of want once, in any order.
func wantSameIDs(t *testing.T, what string, got,
	want []aggregation.ReportID) {
	t.Helper()
	count := map[aggregation.ReportID]int{}
	for _, id := range want {
		count[id]++
	}
	for _, id := range got {
		count[id]--
	}
	var missing, extra []aggregation.ReportID
	for id, n := range count {
		if n > 0 {
			missing = append(missing, id)
		}
		if n < 0 {
			extra = append(extra, id)
		}
	}
	if len(missing)+len(extra) > 0 {
		t.Errorf("%s = %d ids, want %d: missing %v, extra or repeated %v",
			what, len(got), len(want), missing, extra)
	}
}

func dupes(ids []aggregation.ReportID) []aggregation.ReportID {
	seen := map[aggregation.ReportID]bool{}
	var out []aggregation.ReportID
	for _, id := range ids {
		if seen[id] {
			out = append(out, id)
		}
		seen[id] = true
	}
	return out
}

func reportIDs(rs []*aggregation.Report) []aggregation.ReportID {
	ids := make([]aggregation.ReportID, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

func jobID(j *aggregation.Job) string { return j.ID.String() }
