package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/aggregation"
)

var reportCompanyTests = []test[aggStore]{
	{"CurrentOnly", func(t *testing.T, s aggStore) {
		rs := putReports(t, s, batchA, 2)
		putReports(t, s, batchB, 1)
		newer := newReport(t, batchA, rs[0].Company)
		putReport(t, s, newer, t1)
		openBatch(t, s, batchC)
		for _, c := range []struct {
			b    aggregation.BatchID
			want map[aggregation.ReportID]string
		}{
			{batchA, map[aggregation.ReportID]string{
				newer.ID: "co-0", rs[1].ID: "co-1"}},
			{batchC, map[aggregation.ReportID]string{}},
			{batchD, map[aggregation.ReportID]string{}},
		} {
			got, err := s.ReportCompanies(ctx(t), c.b)
			wantValue(t, fmt.Sprintf("ReportCompanies(%s)", c.b), got, err,
				c.want)
		}
	}},
}

// errRefused is what the suite's refusing checks return.
var errRefused = errors.New("refused by the test's check")

var releaseTests = []test[aggStore]{
	{"RecordThenList", func(t *testing.T, s aggStore) {
		aPub := release(batchA, aggregation.Public, t0, "a", "b")
		aPriv := release(batchA, aggregation.Private, t0, "a", "b")
		b := release(batchB, aggregation.Public, t0, "a")
		c := release(batchC, aggregation.Public, t0)
		d := release(batchD, aggregation.Private, t1, "c")
		for _, r := range []*aggregation.ReleaseRecord{aPriv, b, c, d, aPub} {
			recordRelease(t, s, r)
		}
		wantReleases(t, s, batchA, aPriv, d, aPub)
		wantReleases(t, s, batchB, b)
		wantReleases(t, s, batchC, c)
		wantReleases(t, s, aggregation.BatchID{Period: "2027-01",
			Methodology: "v1"})
	}},
	{"ReplaceKeepsPlace", func(t *testing.T, s aggStore) {
		first := release(batchA, aggregation.Public, t0, "a", "b")
		d := release(batchD, aggregation.Public, t0, "c")
		recordRelease(t, s, first)
		recordRelease(t, s, d)
		again := release(batchA, aggregation.Public, t1, "a", "b", "e")
		recordRelease(t, s, again)
		wantReleases(t, s, batchA, again, d)
	}},
	{"CheckSeesPeriod", func(t *testing.T, s aggStore) {
		a := release(batchA, aggregation.Public, t0, "a")
		recordRelease(t, s, a)
		recordRelease(t, s, release(batchB, aggregation.Public, t0, "b"))
		recordRelease(t, s, release(batchC, aggregation.Public, t0, "c"))
		var seen []*aggregation.ReleaseRecord
		d := release(batchD, aggregation.Public, t1, "d")
		err := s.RecordRelease(ctx(t), d,
			func(rs []*aggregation.ReleaseRecord) error {
				seen = rs
				return nil
			})
		checkErr(t, "RecordRelease(d)", err, nil)
		if diff := cmp.Diff(seen, []*aggregation.ReleaseRecord{a},
			opts); diff != "" {
			t.Errorf("RecordRelease(d) checked %v, want %v (-got +want):\n%s",
				keys(seen, releaseKey), []string{releaseKey(a)}, diff)
		}
		wantReleases(t, s, batchA, a, d)
	}},
	{"CheckRefuses", func(t *testing.T, s aggStore) {
		a := release(batchA, aggregation.Public, t0, "a", "b")
		recordRelease(t, s, a)
		for _, r := range []*aggregation.ReleaseRecord{
			release(batchD, aggregation.Public, t1, "a"),
			release(batchA, aggregation.Public, t1, "a"),
		} {
			err := s.RecordRelease(ctx(t), r,
				func([]*aggregation.ReleaseRecord) error { return errRefused })
			if err != errRefused {
				t.Errorf("RecordRelease(%s) = %v, want the check's error "+
					"as it is", releaseKey(r), err)
			}
		}
		wantReleases(t, s, batchA, a)
	}},
}

// releaseRace races workers to release batches of one period whose
// company sets differ by two from each other's, below the guard's
// minimum of three: one may pass, so a store must not let two checks
// pass at once.
var releaseRace = test[aggStore]{"ReleasesOneAtATime",
	func(t *testing.T, s aggStore) {
		rs := make([]*aggregation.ReleaseRecord, workers)
		for w := range rs {
			b := batchA
			b.Cohort = fmt.Sprintf("c%d@1", w)
			rs[w] = release(b, aggregation.Public, t0, "a", "b",
				fmt.Sprintf("x%d", w))
		}
		errs := race(func(w int) error {
			r := rs[w]
			return s.RecordRelease(ctx(t), r,
				func(done []*aggregation.ReleaseRecord) error {
					// A pause between check and record lets a racing
					// release in, unless the store keeps it out.
					time.Sleep(10 * time.Millisecond)
					return aggregation.CheckDifference(r.Batch, r.Companies,
						done, 3)
				})
		})
		won := wantOneWinner(t, errs, aggregation.ErrDifferencing)
		if won >= 0 {
			wantReleases(t, s, batchA, rs[won])
		}
	}}

func init() { concurrencyTests = append(concurrencyTests, releaseRace) }

func release(b aggregation.BatchID, tier aggregation.Tier, at time.Time,
	companies ...string) *aggregation.ReleaseRecord {
	return &aggregation.ReleaseRecord{Batch: b, Tier: tier,
		Companies: companies, At: at}
}

func recordRelease(t *testing.T, s aggStore, r *aggregation.ReleaseRecord) {
	t.Helper()
	err := s.RecordRelease(ctx(t), r,
		func([]*aggregation.ReleaseRecord) error { return nil })
	checkErr(t, fmt.Sprintf("RecordRelease(%s)", releaseKey(r)), err, nil)
}

// wantReleases checks the releases of b's period and methodology.
func wantReleases(t *testing.T, s aggStore, b aggregation.BatchID,
	want ...*aggregation.ReleaseRecord) {
	t.Helper()
	got, err := s.Releases(ctx(t), b.Period, b.Methodology)
	wantList(t, fmt.Sprintf("Releases(%s, %s)", b.Period, b.Methodology),
		got, err, want, releaseKey)
}

func releaseKey(r *aggregation.ReleaseRecord) string {
	return r.Batch.String() + "/" + r.Tier.String()
}
