package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/aggregation"
)

type aggStore = aggregation.Store

var batchTests = []test[aggStore]{
	{"OpenThenGet", func(t *testing.T, s aggStore) {
		openBatch(t, s, batchA)
		openBatch(t, s, batchB)
		wantBatch(t, s, aggregation.Batch{ID: batchA,
			State: aggregation.Open, OpenedAt: t0})
	}},
	{"OpenTwice", func(t *testing.T, s aggStore) {
		openBatch(t, s, batchA)
		err := s.OpenBatch(ctx(t), batchA, t0.Add(time.Hour))
		checkErr(t, "second OpenBatch", err, aggregation.ErrBatchExists)
		wantBatch(t, s, aggregation.Batch{ID: batchA,
			State: aggregation.Open, OpenedAt: t0})
	}},
	{"Unknown", func(t *testing.T, s aggStore) {
		openBatch(t, s, batchA)
		for _, b := range []aggregation.BatchID{batchB, batchC, batchD} {
			_, err := s.Batch(ctx(t), b)
			checkErr(t, fmt.Sprintf("Batch(%s)", b), err,
				aggregation.ErrUnknownBatch)
		}
	}},
	{"Close", func(t *testing.T, s aggStore) {
		openBatch(t, s, batchA)
		openBatch(t, s, batchB)
		closeBatch(t, s, batchA, t0.Add(time.Hour))
		wantBatch(t, s, aggregation.Batch{ID: batchA,
			State: aggregation.Closed, OpenedAt: t0,
			ClosedAt: t0.Add(time.Hour)})
		wantBatch(t, s, aggregation.Batch{ID: batchB,
			State: aggregation.Open, OpenedAt: t0})
	}},
	{"CloseTwice", func(t *testing.T, s aggStore) {
		openBatch(t, s, batchA)
		closeBatch(t, s, batchA, t0.Add(time.Hour))
		closeBatch(t, s, batchA, t0.Add(2*time.Hour))
		wantBatch(t, s, aggregation.Batch{ID: batchA,
			State: aggregation.Closed, OpenedAt: t0,
			ClosedAt: t0.Add(time.Hour)})
	}},
	{"CloseUnknown", func(t *testing.T, s aggStore) {
		openBatch(t, s, batchA)
		err := s.CloseBatch(ctx(t), batchB, t0)
		checkErr(t, "CloseBatch(unknown)", err, aggregation.ErrUnknownBatch)
		wantBatch(t, s, aggregation.Batch{ID: batchA,
			State: aggregation.Open, OpenedAt: t0})
	}},
}

// putCase is one PutReport scenario: setup stores earlier reports and
// returns the report to put; check looks at the store afterwards.
type putCase struct {
	name  string
	setup setupFunc
	want  error
	check func(t *testing.T, s aggStore, fx *fixture)
}

// setupFunc stores what a PutReport scenario starts from and returns the
// report to put.
type setupFunc func(t *testing.T, s aggStore) (put *aggregation.Report,
	fx *fixture)

// fixture holds the reports a scenario stored, for its check.
type fixture struct {
	old, cur *aggregation.Report
}

var putCases = []putCase{
	{
		name:  "UnknownBatch",
		setup: freshSetup(batchB, false),
		want:  aggregation.ErrUnknownBatch,
		check: notStored,
	},
	{
		name:  "ClosedBatch",
		setup: freshSetup(batchA, true),
		want:  aggregation.ErrBatchClosed,
		check: func(t *testing.T, s aggStore, fx *fixture) {
			notStored(t, s, fx)
			wantUndecided(t, s, batchA, 0)
		},
	},
	{
		name:  "New",
		setup: freshSetup(batchA, false),
		check: func(t *testing.T, s aggStore, fx *fixture) {
			wantReport(t, s, fx.cur, t1, nil)
			wantUndecided(t, s, batchA, 1)
		},
	},
	{
		name:  "ReplaceSameCompany",
		setup: replaceSetup,
		check: func(t *testing.T, s aggStore, fx *fixture) {
			wantNoReport(t, s, fx.old.ID)
			wantReport(t, s, fx.cur, t1, nil)
			wantUndecided(t, s, batchA, 1)
		},
	},
	{
		name: "ReplayReplacedID",
		setup: func(t *testing.T, s aggStore) (*aggregation.Report,
			*fixture) {
			_, fx := replaceSetup(t, s)
			putReport(t, s, fx.cur, t1)
			return fx.old, fx
		},
		want: aggregation.ErrReplay,
		check: func(t *testing.T, s aggStore, fx *fixture) {
			wantNoReport(t, s, fx.old.ID)
			wantReport(t, s, fx.cur, t1, nil)
		},
	},
	{
		name:  "IdenticalRetry",
		setup: curSetup(func(r *aggregation.Report) {}),
		check: func(t *testing.T, s aggStore, fx *fixture) {
			wantReport(t, s, fx.cur, t0, nil)
			wantUndecided(t, s, batchA, 1)
		},
	},
	{
		name: "OtherReportSameID",
		setup: curSetup(func(r *aggregation.Report) {
			r.Shares[aggregation.Helper] = []byte("other ciphertext")
		}),
		want:  aggregation.ErrReplay,
		check: curUnchanged,
	},
	{
		name:  "OtherCompanySameID",
		setup: curSetup(func(r *aggregation.Report) { r.Company = "globex" }),
		want:  aggregation.ErrReplay,
		check: curUnchanged,
	},
	{
		name:  "OtherBatchSameID",
		setup: curSetup(func(r *aggregation.Report) { r.Batch = batchB }),
		want:  aggregation.ErrReplay,
		check: func(t *testing.T, s aggStore, fx *fixture) {
			curUnchanged(t, s, fx)
			wantUndecided(t, s, batchB, 0)
		},
	},
	{
		name: "OtherCompanyKept",
		setup: func(t *testing.T, s aggStore) (*aggregation.Report,
			*fixture) {
			openBatch(t, s, batchA)
			old := newReport(t, batchA, "acme")
			putReport(t, s, old, t0)
			return newReport(t, batchA, "globex"), &fixture{old: old}
		},
		check: func(t *testing.T, s aggStore, fx *fixture) {
			wantReport(t, s, fx.old, t0, nil)
			wantUndecided(t, s, batchA, 2)
		},
	},
}

// t1 is when the scenario's last report is put.
var t1 = t0.Add(time.Minute)

// freshSetup opens batchA, and closes it if closed, and returns a new
// report of acme in b.
func freshSetup(b aggregation.BatchID, closed bool) setupFunc {
	return func(t *testing.T, s aggStore) (*aggregation.Report, *fixture) {
		openBatch(t, s, batchA)
		if closed {
			closeBatch(t, s, batchA, t0)
		}
		r := newReport(t, b, "acme")
		return r, &fixture{cur: r}
	}
}

// replaceSetup stores a report of acme and returns acme's next one.
func replaceSetup(t *testing.T, s aggStore) (*aggregation.Report,
	*fixture) {
	openBatch(t, s, batchA)
	old := newReport(t, batchA, "acme")
	putReport(t, s, old, t0)
	cur := newReport(t, batchA, "acme")
	return cur, &fixture{old: old, cur: cur}
}

// curSetup stores a report of acme in batchA (batchB open too) and
// returns a copy changed by edit, under the same id.
func curSetup(edit func(r *aggregation.Report)) setupFunc {
	return func(t *testing.T, s aggStore) (*aggregation.Report, *fixture) {
		openBatch(t, s, batchA)
		openBatch(t, s, batchB)
		cur := newReport(t, batchA, "acme")
		putReport(t, s, cur, t0)
		again := *cur
		again.Public = append([][]byte(nil), cur.Public...)
		edit(&again)
		return &again, &fixture{cur: cur}
	}
}

func notStored(t *testing.T, s aggStore, fx *fixture) {
	wantNoReport(t, s, fx.cur.ID)
}

func curUnchanged(t *testing.T, s aggStore, fx *fixture) {
	wantReport(t, s, fx.cur, t0, nil)
	wantUndecided(t, s, batchA, 1)
}

var putReportTests = func() []test[aggStore] {
	var out []test[aggStore]
	for _, c := range putCases {
		out = append(out, test[aggStore]{c.name, func(t *testing.T,
			s aggStore) {
			r, fx := c.setup(t, s)
			err := s.PutReport(ctx(t), r, t1)
			checkErr(t, fmt.Sprintf("PutReport(%s)", r.ID), err, c.want)
			if c.check != nil {
				c.check(t, s, fx)
			}
		}})
	}
	return out
}()

var reportTests = []test[aggStore]{
	{"RoundTrip", func(t *testing.T, s aggStore) {
		openBatch(t, s, batchA)
		r := newReport(t, batchA, "acme")
		r.Public = [][]byte{{}, {0}, randBytes(t, 200)}
		putReport(t, s, r, t0)
		wantReport(t, s, r, t0, nil)
	}},
	{"Unknown", func(t *testing.T, s aggStore) {
		openBatch(t, s, batchA)
		putReport(t, s, newReport(t, batchA, "acme"), t0)
		wantNoReport(t, s, newReport(t, batchA, "acme").ID)
	}},
}

func openBatch(t *testing.T, s aggStore, b aggregation.BatchID) {
	t.Helper()
	err := s.OpenBatch(ctx(t), b, t0)
	checkErr(t, fmt.Sprintf("OpenBatch(%s)", b), err, nil)
}

func closeBatch(t *testing.T, s aggStore, b aggregation.BatchID,
	at time.Time) {
	t.Helper()
	err := s.CloseBatch(ctx(t), b, at)
	checkErr(t, fmt.Sprintf("CloseBatch(%s)", b), err, nil)
}

func putReport(t *testing.T, s aggStore, r *aggregation.Report,
	at time.Time) {
	t.Helper()
	err := s.PutReport(ctx(t), r, at)
	checkErr(t, fmt.Sprintf("PutReport(%s)", r.ID), err, nil)
}

// putReports opens b and stores one report of each of n companies.
func putReports(t *testing.T, s aggStore, b aggregation.BatchID,
	n int) []*aggregation.Report {
	t.Helper()
	openBatch(t, s, b)
	rs := make([]*aggregation.Report, n)
	for i := range rs {
		rs[i] = newReport(t, b, fmt.Sprintf("co-%d", i))
		putReport(t, s, rs[i], t0)
	}
	return rs
}

func wantBatch(t *testing.T, s aggStore, want aggregation.Batch) {
	t.Helper()
	got, err := s.Batch(ctx(t), want.ID)
	wantValue(t, fmt.Sprintf("Batch(%s)", want.ID), got, err, &want)
}

// wantReport checks that r is current, received at, decided by job.
func wantReport(t *testing.T, s aggStore, r *aggregation.Report,
	at time.Time, job *aggregation.JobID) {
	t.Helper()
	got, err := s.Report(ctx(t), r.ID)
	checkErr(t, fmt.Sprintf("Report(%s)", r.ID), err, nil)
	gotBytes, _ := got.Report.MarshalBinary()
	wantBytes, _ := r.MarshalBinary()
	if d := cmp.Diff(gotBytes, wantBytes); d != "" {
		t.Errorf("Report(%s) bytes = %x, want %x", r.ID, gotBytes, wantBytes)
	}
	if d := cmp.Diff(got.ReceivedAt, at, opts); d != "" {
		t.Errorf("Report(%s).ReceivedAt = %v, want %v", r.ID,
			got.ReceivedAt, at)
	}
	if d := cmp.Diff(got.Job, job); d != "" {
		t.Errorf("Report(%s).Job = %v, want %v", r.ID, got.Job, job)
	}
}

func wantNoReport(t *testing.T, s aggStore, id aggregation.ReportID) {
	t.Helper()
	_, err := s.Report(ctx(t), id)
	checkErr(t, fmt.Sprintf("Report(%s)", id), err,
		aggregation.ErrUnknownReport)
}

func wantUndecided(t *testing.T, s aggStore, b aggregation.BatchID,
	want int) {
	t.Helper()
	got, err := s.Undecided(ctx(t), b)
	checkErr(t, fmt.Sprintf("Undecided(%s)", b), err, nil)
	if got != want {
		t.Errorf("Undecided(%s) = %d, want %d", b, got, want)
	}
}
