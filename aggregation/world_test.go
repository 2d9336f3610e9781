package aggregation_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/aggregation/inprocess"
	"github.com/infermargin/infermargin/methodology"
)

// world is an in-process system with test-friendly helpers that fail the
// test on error.
type world struct {
	*inprocess.System
	m *methodology.Methodology
}

func newWorld(t testing.TB) *world {
	t.Helper()
	m, err := methodology.Load("v1")
	if err != nil {
		t.Fatal(err)
	}
	s, err := inprocess.New(m)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{System: s, m: m}
	// Bystanders make every cohort wide enough to open; they send no
	// report, so they change no count.
	for i := range m.Thresholds.Private {
		w.enroll(t, fmt.Sprintf("bystander-%02d", i))
	}
	return w
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func (w *world) leader() *aggregation.Aggregator { return w.Leader() }
func (w *world) helper() *aggregation.Aggregator { return w.Helper() }

func (w *world) enroll(t testing.TB, company string) *aggregation.Client {
	t.Helper()
	c, err := w.Enroll(company)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) open(t testing.TB, b aggregation.BatchID) {
	t.Helper()
	if err := w.Open(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func (w *world) close(t testing.TB, b aggregation.BatchID) {
	t.Helper()
	if err := w.Close(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func (w *world) upload(r *aggregation.Report) [2]error {
	return w.Upload(context.Background(), r)
}

func (w *world) aggregate(t testing.TB, b aggregation.BatchID) aggregation.JobStats {
	t.Helper()
	st, err := w.Aggregate(context.Background(), b, 50)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (w *world) publish(b aggregation.BatchID, tier aggregation.Tier) (
	*aggregation.Published, error) {
	return w.Publish(context.Background(), b, tier)
}

func batch(cohort string) aggregation.BatchID {
	return aggregation.BatchID{Cohort: cohort, Period: "2026-11",
		Methodology: "v1"}
}
