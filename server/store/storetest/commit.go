package storetest

import (
	"fmt"
	"testing"

	"github.com/infermargin/infermargin/aggregation"
)

var commitTests = []test[aggStore]{
	{"MarksDecided", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 3)
		j := claimJob(t, s, batchA, 10, leaseA)
		res := newResult(t, j.ID, batchA, accept(rs[0].ID),
			reject(rs[1].ID))
		commitJob(t, s, res)
		wantReport(t, s, rs[0], t0, &j.ID)
		wantReport(t, s, rs[1], t0, &j.ID)
		wantReport(t, s, rs[2], t0, nil)
		wantUndecided(t, s, batchA, 1)
		wantJobResult(t, s, res)
		wantPending(t, s, batchA, leaseA, t0)
	}},
	{"SecondCommitConflicts", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 2)
		first := newResult(t, newJobID(t), batchA, accept(rs[0].ID))
		commitJob(t, s, first)
		again := newResult(t, first.Job, batchA, accept(rs[1].ID))
		err := s.CommitJob(ctx(t), again)
		checkErr(t, "second CommitJob", err, aggregation.ErrJobConflict)
		wantReport(t, s, rs[1], t0, nil)
		wantUndecided(t, s, batchA, 1)
		wantJobResult(t, s, first)
		wantResults(t, s, batchA, first)
	}},
	{"HelperUnclaimed", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 2)
		closeBatch(t, s, batchA, t0)
		res := newResult(t, newJobID(t), batchA, accept(rs[0].ID),
			reject(rs[1].ID))
		commitJob(t, s, res)
		wantReport(t, s, rs[0], t0, &res.Job)
		wantReport(t, s, rs[1], t0, &res.Job)
		wantUndecided(t, s, batchA, 0)
		wantJobShape(t, claimJob(t, s, batchA, 10, leaseA), batchA, 0)
	}},
	{"RejectedMayNameAnything", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 2)
		first := newResult(t, newJobID(t), batchA, accept(rs[0].ID))
		commitJob(t, s, first)
		res := newResult(t, newJobID(t), batchA, accept(rs[1].ID),
			reject(rs[0].ID), reject(newReport(t, batchA, "x").ID))
		commitJob(t, s, res)
		wantReport(t, s, rs[0], t0, &first.Job)
		wantReport(t, s, rs[1], t0, &res.Job)
		wantResults(t, s, batchA, first, res)
	}},
}

// countedCases name, in an accepted outcome, a report CommitJob must
// refuse, after a valid one: the valid one must stay undecided.
var countedCases = []struct {
	name string
	bad  func(t *testing.T, s aggStore, valid aggregation.ReportID) (
		aggregation.ReportID, int)
}{
	{"AlreadyDecided", func(t *testing.T, s aggStore,
		_ aggregation.ReportID) (aggregation.ReportID, int) {
		r := newReport(t, batchA, "decided")
		putReport(t, s, r, t0)
		commitJob(t, s, newResult(t, newJobID(t), batchA, accept(r.ID)))
		return r.ID, 2
	}},
	{"OtherBatch", func(t *testing.T, s aggStore,
		_ aggregation.ReportID) (aggregation.ReportID, int) {
		rb := putReports(t, s, batchB, 1)
		return rb[0].ID, 2
	}},
	{"Unknown", func(t *testing.T, s aggStore,
		_ aggregation.ReportID) (aggregation.ReportID, int) {
		return newReport(t, batchA, "ghost").ID, 2
	}},
	{"Replaced", func(t *testing.T, s aggStore,
		_ aggregation.ReportID) (aggregation.ReportID, int) {
		old := newReport(t, batchA, "fickle")
		putReport(t, s, old, t0)
		putReport(t, s, newReport(t, batchA, "fickle"), t0)
		return old.ID, 3
	}},
	{"TwiceInOneResult", func(t *testing.T, s aggStore,
		valid aggregation.ReportID) (aggregation.ReportID, int) {
		return valid, 2
	}},
}

var countedTests = func() []test[aggStore] {
	var out []test[aggStore]
	for _, c := range countedCases {
		out = append(out, test[aggStore]{"Counted" + c.name,
			func(t *testing.T, s aggStore) {
				rs := putReports(t, s, batchA, 2)
				bad, undecided := c.bad(t, s, rs[0].ID)
				res := newResult(t, newJobID(t), batchA, accept(rs[0].ID),
					reject(rs[1].ID), accept(bad))
				err := s.CommitJob(ctx(t), res)
				checkErr(t, fmt.Sprintf("CommitJob(accepting %s)", bad), err,
					aggregation.ErrCounted)
				_, err = s.JobResult(ctx(t), res.Job)
				checkErr(t, "JobResult(refused job)", err,
					aggregation.ErrUnknownJob)
				wantReport(t, s, rs[0], t0, nil)
				wantReport(t, s, rs[1], t0, nil)
				wantUndecided(t, s, batchA, undecided)
			}})
	}
	return out
}()

func init() { commitTests = append(commitTests, countedTests...) }

var resultsTests = []test[aggStore]{
	{"RoundTrip", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 3)
		res := newResult(t, newJobID(t), batchA, accept(rs[0].ID),
			reject(rs[1].ID), accept(rs[2].ID))
		res.Response = &aggregation.JobResponse{Job: res.Job,
			Results: []aggregation.PrepResult{
				{ID: rs[0].ID, Messages: [][]byte{randBytes(t, 5),
					randBytes(t, 7)}},
				{ID: rs[1].ID, Reason: "invalid_share"},
				{ID: rs[2].ID, Messages: [][]byte{randBytes(t, 3)}},
			}}
		commitJob(t, s, res)
		wantJobResult(t, s, res)
	}},
	{"UnknownJob", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 1)
		commitJob(t, s, newResult(t, newJobID(t), batchA, accept(rs[0].ID)))
		_, err := s.JobResult(ctx(t), newJobID(t))
		checkErr(t, "JobResult(unknown)", err, aggregation.ErrUnknownJob)
	}},
	{"CommitOrder", func(t *testing.T, s aggStore) {
		ra := putReports(t, s, batchA, 3)
		rb := putReports(t, s, batchB, 1)
		openBatch(t, s, batchC)
		j1 := claimJob(t, s, batchA, 1, leaseA)
		j2 := claimJob(t, s, batchA, 1, leaseA)
		j3 := claimJob(t, s, batchA, 1, leaseA)
		var want []*aggregation.JobResult
		for _, j := range []*aggregation.Job{j3, j1, j2} {
			want = append(want, newResult(t, j.ID, batchA,
				accept(j.Reports...)))
		}
		other := newResult(t, newJobID(t), batchB, accept(rb[0].ID))
		commitJob(t, s, want[0])
		commitJob(t, s, other)
		commitJob(t, s, want[1])
		commitJob(t, s, want[2])
		wantResults(t, s, batchA, want...)
		wantResults(t, s, batchB, other)
		wantResults(t, s, batchC)
		wantUndecided(t, s, batchA, len(ra)-3)
	}},
	{"Undecided", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 4)
		putReports(t, s, batchB, 2)
		wantUndecided(t, s, batchA, 4)
		putReport(t, s, newReport(t, batchA, "co-0"), t1)
		wantUndecided(t, s, batchA, 4)
		commitJob(t, s, newResult(t, newJobID(t), batchA, accept(rs[1].ID),
			reject(rs[2].ID)))
		wantUndecided(t, s, batchA, 2)
		wantUndecided(t, s, batchB, 2)
	}},
}

func accept(ids ...aggregation.ReportID) []aggregation.Outcome {
	out := make([]aggregation.Outcome, len(ids))
	for i, id := range ids {
		out[i] = aggregation.Outcome{ID: id, Accepted: true}
	}
	return out
}

func reject(ids ...aggregation.ReportID) []aggregation.Outcome {
	out := make([]aggregation.Outcome, len(ids))
	for i, id := range ids {
		out[i] = aggregation.Outcome{ID: id, Reason: "invalid_share"}
	}
	return out
}

// newResult builds a job result with a random aggregate share.
func newResult(t *testing.T, job aggregation.JobID, b aggregation.BatchID,
	outcomes ...[]aggregation.Outcome) *aggregation.JobResult {
	t.Helper()
	r := &aggregation.JobResult{Job: job, Batch: b,
		AggShare: [][]byte{randBytes(t, 16), randBytes(t, 16)}}
	for _, o := range outcomes {
		r.Outcomes = append(r.Outcomes, o...)
	}
	return r
}

func commitJob(t *testing.T, s aggStore, r *aggregation.JobResult) {
	t.Helper()
	err := s.CommitJob(ctx(t), r)
	checkErr(t, fmt.Sprintf("CommitJob(%s)", r.Job), err, nil)
}

func wantJobResult(t *testing.T, s aggStore, want *aggregation.JobResult) {
	t.Helper()
	got, err := s.JobResult(ctx(t), want.Job)
	wantValue(t, fmt.Sprintf("JobResult(%s)", want.Job), got, err, want)
}

func wantResults(t *testing.T, s aggStore, b aggregation.BatchID,
	want ...*aggregation.JobResult) {
	t.Helper()
	got, err := s.Results(ctx(t), b)
	wantList(t, fmt.Sprintf("Results(%s)", b), got, err, want, resultJob)
}

func resultJob(r *aggregation.JobResult) string { return r.Job.String() }
