// Package storetest is the conformance suite of the store contracts:
// aggregation.Store, which memstore, postgres and sqlite implement, and
// store.Store, the node-level records on top of it. An implementation's
// tests call Run (or RunAggregation) with a function that opens a new,
// empty store; every subtest gets one of its own.
//
// Times are compared to the microsecond: the SQL stores keep no finer
// precision.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/store"
)

// test is one subtest of the suite, run on a fresh store.
type test[S any] struct {
	name string
	run  func(t *testing.T, s S)
}

// group is a named list of subtests.
type group[S any] struct {
	name  string
	tests []test[S]
}

// runGroups runs each group as a subtest, and in it each of its tests
// as a subtest on a store of its own from open.
func runGroups[S any](t *testing.T, open func(t *testing.T) S,
	groups []group[S]) {
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
			}
		})
	}
}

// RunAggregation runs the aggregation.Store part of the suite. open
// returns a new, empty store and arranges for its release when t ends.
func RunAggregation(t *testing.T,
	open func(t *testing.T) aggregation.Store) {
	runGroups(t, open, []group[aggStore]{
		{"Batch", batchTests},
		{"PutReport", putReportTests},
		{"Report", reportTests},
		{"ClaimJob", claimTests},
		{"PendingJobs", pendingTests},
		{"CommitJob", commitTests},
		{"Results", resultsTests},
		{"ReportCompanies", reportCompanyTests},
		{"Releases", releaseTests},
		{"Concurrency", concurrencyTests},
	})
}

// Run runs the whole suite: RunAggregation, the node-level records and
// governance.
// open returns a new, empty store and arranges for its release when t
// ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	RunAggregation(t, func(t *testing.T) aggregation.Store {
		return open(t)
	})
	runGroups(t, open, []group[nodeStore]{
		{"Company", companyTests},
		{"Enrollment", enrollmentTests},
		{"Cohort", cohortTests},
		{"Reassignment", reassignTests},
		{"Account", accountTests},
		{"Audit", auditTests},
		{"Access", accessTests},
		{"Receipt", receiptTests},
		{"Publication", publicationTests},
		{"Ping", pingTests},
	})
}

// RunReopen checks that a store keeps what it holds once closed. open
// opens the same database each time it is called, and arranges for the
// store's release when t ends.
func RunReopen(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	openBatch(t, s, batchA)
	key := randBytes(t, 32)
	Enroll(t, s, "acme", key, support)
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	s = open(t)
	wantBatch(t, s, aggregation.Batch{ID: batchA,
		State: aggregation.Open, OpenedAt: t0})
	c, err := s.Company(ctx(t), "acme")
	checkErr(t, "Company(acme)", err, nil)
	if !bytes.Equal(c.Key, key) {
		t.Errorf("Company(acme).Key = %x, want %x", c.Key, key)
	}
}

// Batches the suite uses. They differ in one part each, so a store that
// keys batches on less than all three parts mixes them up.
var (
	batchA = aggregation.BatchID{Cohort: "c@1", Period: "2026-11",
		Methodology: "v1"}
	batchB = aggregation.BatchID{Cohort: "c@1", Period: "2026-12",
		Methodology: "v1"}
	batchC = aggregation.BatchID{Cohort: "c@1", Period: "2026-11",
		Methodology: "v2"}
	batchD = aggregation.BatchID{Cohort: "d@1", Period: "2026-11",
		Methodology: "v1"}
)

// t0 has nanoseconds, so a store that rounds to the microsecond is
// exercised, and a store that drops more is caught.
var t0 = time.Date(2026, 11, 30, 12, 0, 0, 123456789, time.UTC)

// opts compares times to the microsecond and treats nil and empty
// slices alike: the contract is about values, not allocations.
var opts = cmp.Options{
	cmpopts.EquateApproxTime(time.Microsecond),
	cmpopts.EquateEmpty(),
}

func ctx(t *testing.T) context.Context { return t.Context() }

// newReport builds a report of company c in batch b with a random id and
// random shares. The store checks no cryptography, only the shape.
func newReport(t *testing.T, b aggregation.BatchID,
	c string) *aggregation.Report {
	t.Helper()
	id, err := aggregation.NewReportID()
	if err != nil {
		t.Fatal(err)
	}
	return &aggregation.Report{
		ID:        id,
		Batch:     b,
		Company:   c,
		Public:    [][]byte{randBytes(t, 4), randBytes(t, 4)},
		Shares:    [2][]byte{randBytes(t, 12), randBytes(t, 12)},
		Signature: randBytes(t, 8),
	}
}

func randBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func newJobID(t *testing.T) aggregation.JobID {
	t.Helper()
	id, err := aggregation.NewJobID()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// wantValue checks what a getter returned for call: no error, and want.
func wantValue[T any](t *testing.T, call string, got T, err error,
	want T) {
	t.Helper()
	checkErr(t, call, err, nil)
	if d := cmp.Diff(got, want, opts); d != "" {
		t.Errorf("%s = %+v, want %+v (-got +want):\n%s", call, got, want, d)
	}
}

// wantList checks what a listing returned for call: no error, and want
// in order. Its message names the items by key.
func wantList[T any](t *testing.T, call string, got []T, err error,
	want []T, key func(T) string) {
	t.Helper()
	checkErr(t, call, err, nil)
	if d := cmp.Diff(got, want, opts); d != "" {
		t.Errorf("%s = %v, want %v (-got +want):\n%s", call, keys(got, key),
			keys(want, key), d)
	}
}

func keys[T any](xs []T, key func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = key(x)
	}
	return out
}

// checkErr fails t unless err matches want: nil for nil, errors.Is
// otherwise.
func checkErr(t *testing.T, call string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s = %v, want nil", call, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s = %v, want %v", call, err, want)
	}
}
