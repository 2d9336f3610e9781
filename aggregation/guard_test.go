package aggregation_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/infermargin/infermargin/aggregation"
)

func TestCheckDifference(t *testing.T) {
	b := batch("wide@1")
	released := func(cohort string, cs ...string) *aggregation.ReleaseRecord {
		return &aggregation.ReleaseRecord{Batch: batch(cohort),
			Companies: cs}
	}
	abc := []string{"a", "b", "c", "d", "e"}
	tests := []struct {
		name     string
		released []*aggregation.ReleaseRecord
		min      int
		blocked  bool
	}{
		{"nothing released", nil, 3, false},
		{"same set, other cohort", []*aggregation.ReleaseRecord{
			released("other@1", abc...)}, 3, false},
		{"one more", []*aggregation.ReleaseRecord{
			released("other@1", "a", "b", "c", "d")}, 3, true},
		{"two swapped", []*aggregation.ReleaseRecord{
			released("other@1", "a", "b", "c", "d", "x")}, 3, true},
		{"three apart", []*aggregation.ReleaseRecord{
			released("other@1", "a", "b")}, 3, false},
		{"disjoint", []*aggregation.ReleaseRecord{
			released("other@1", "v", "w", "x", "y", "z")}, 3, false},
		{"same batch again", []*aggregation.ReleaseRecord{
			released("wide@1", "a")}, 3, false},
		{"other period", []*aggregation.ReleaseRecord{{
			Batch: aggregation.BatchID{Cohort: "other@1",
				Period: "2026-10", Methodology: "v1"},
			Companies: []string{"a"}}}, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := aggregation.CheckDifference(b, abc, tt.released, tt.min)
			if got := errors.Is(err, aggregation.ErrDifferencing); got != tt.blocked {
				t.Errorf("CheckDifference() = %v, want blocked %v", err,
					tt.blocked)
			}
		})
	}
}

// cohortWorld enrolls n companies, each reporting bucket i mod 5 of
// every metric, and returns their ids.
func cohortWorld(t *testing.T, n int) (*world, []string,
	map[string]*aggregation.Client) {
	w := newWorld(t)
	ids := make([]string, n)
	clients := map[string]*aggregation.Client{}
	for i := range ids {
		ids[i] = fmt.Sprintf("co-%03d", i)
		clients[ids[i]] = w.enroll(t, ids[i])
	}
	return w, ids, clients
}

// run opens b for members, uploads each member's report, aggregates
// and tries to publish it for tier.
func (w *world) run(t *testing.T, b aggregation.BatchID, members []string,
	clients map[string]*aggregation.Client, tier aggregation.Tier) error {
	t.Helper()
	if err := w.SetCohort(b.Cohort, members); err != nil {
		t.Fatal(err)
	}
	w.open(t, b)
	for i, id := range members {
		buckets := make([]uint64, len(w.m.Metrics))
		for j := range buckets {
			buckets[j] = uint64(i % 5)
		}
		r := must(clients[id].NewReport(b, buckets))
		if errs := w.upload(r); errs != [2]error{} {
			t.Fatalf("upload %s: %v", id, errs)
		}
	}
	w.close(t, b)
	w.aggregate(t, b)
	_, err := w.publish(b, tier)
	return err
}

// TestDifferencingGuard releases a wide cohort, then tries overlapping
// ones of the same period: 3 companies apart is blocked on both tiers,
// 10 apart is released.
func TestDifferencingGuard(t *testing.T) {
	w, ids, clients := cohortWorld(t, 43)
	if err := w.run(t, batch("wide@1"), ids[:40], clients,
		aggregation.Public); err != nil {
		t.Fatalf("publish wide: %v", err)
	}

	err := w.run(t, batch("narrow@1"), ids[3:40], clients,
		aggregation.Public)
	if !errors.Is(err, aggregation.ErrDifferencing) {
		t.Fatalf("publish narrow (3 apart) = %v, want ErrDifferencing", err)
	}
	for _, want := range []string{"differ", "wide@1", "by 3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	_, err = w.publish(batch("narrow@1"), aggregation.Private)
	if !errors.Is(err, aggregation.ErrDifferencing) {
		t.Errorf("publish narrow private = %v, want ErrDifferencing", err)
	}

	err = w.run(t, batch("apart@1"), ids[10:40], clients,
		aggregation.Public)
	if err != nil {
		t.Errorf("publish apart (10 apart) = %v, want released", err)
	}
	if _, err := w.publish(batch("wide@1"), aggregation.Private); err != nil {
		t.Errorf("publish wide private (same set) = %v", err)
	}
}

// TestHelperGuardsAlone checks that the helper applies the guard on its
// own: a leader that skips its check still gets no helper share.
func TestHelperGuardsAlone(t *testing.T) {
	w, ids, clients := cohortWorld(t, 32)
	if err := w.run(t, batch("wide@1"), ids[:32], clients,
		aggregation.Private); err != nil {
		t.Fatal(err)
	}
	b := batch("narrow@1")
	err := w.run(t, b, ids[:30], clients, aggregation.Private)
	if !errors.Is(err, aggregation.ErrDifferencing) {
		t.Fatalf("publish = %v, want ErrDifferencing", err)
	}
	_, err = w.leader().Collect(context.Background(), b,
		aggregation.Private, refusingPeer{t})
	if !errors.Is(err, aggregation.ErrDifferencing) {
		t.Errorf("leader Collect = %v, want ErrDifferencing", err)
	}
	acc := w.acceptedIDs(t, b)
	req := &aggregation.ShareRequest{Batch: b, Tier: aggregation.Private,
		Count: uint64(len(acc)), Checksum: aggregation.Checksum(acc)}
	rel, err := w.helper().AggregateShare(context.Background(), req)
	if !errors.Is(err, aggregation.ErrDifferencing) || rel != nil {
		t.Errorf("helper AggregateShare = %v, want ErrDifferencing", err)
	}
}

func TestNarrowCohortDoesNotOpen(t *testing.T) {
	w, ids, _ := cohortWorld(t, 10)
	ctx := context.Background()
	if err := w.SetCohort("small@1", ids[:9]); err != nil {
		t.Fatal(err)
	}
	err := w.Open(ctx, batch("small@1"))
	if !errors.Is(err, aggregation.ErrNarrowCohort) {
		t.Fatalf("Open(9 members) = %v, want ErrNarrowCohort", err)
	}
	if !strings.Contains(err.Error(), "9 approved members") {
		t.Errorf("error %q does not give the count", err)
	}
	if err := w.SetCohort("small@2", ids); err != nil {
		t.Fatal(err)
	}
	if err := w.Open(ctx, batch("small@2")); err != nil {
		t.Errorf("Open(10 members) = %v", err)
	}
}

func TestCohortMismatchDoesNotOpen(t *testing.T) {
	w, ids, _ := cohortWorld(t, 11)
	ctx := context.Background()
	if err := w.SetCohort("c@1", ids[:10]); err != nil {
		t.Fatal(err)
	}
	if err := w.Directories[aggregation.Helper].SetCohort("c@1",
		ids[1:]); err != nil {
		t.Fatal(err)
	}
	leader, _ := w.Directories[aggregation.Leader].Cohort(ctx, "c@1")
	err := w.helper().OpenBatch(ctx, batch("c@1"), leader.Digest())
	if !errors.Is(err, aggregation.ErrCohortMismatch) {
		t.Errorf("helper OpenBatch = %v, want ErrCohortMismatch", err)
	}
}

func TestNonMemberUploadRefused(t *testing.T) {
	w, ids, clients := cohortWorld(t, 11)
	b := batch("c@1")
	if err := w.SetCohort(b.Cohort, ids[:10]); err != nil {
		t.Fatal(err)
	}
	w.open(t, b)
	r := must(clients[ids[10]].NewReport(b, make([]uint64, len(w.m.Metrics))))
	for role, err := range w.upload(r) {
		if !errors.Is(err, aggregation.ErrNotMember) {
			t.Errorf("%s: upload by non-member = %v, want ErrNotMember",
				aggregation.Role(role), err)
		}
	}
}

// BenchmarkCheckDifference is the guard's cost for one release of
// 10,000 companies against 100 released batches of one period, each of
// 10,000 companies half shared with it.
func BenchmarkCheckDifference(b *testing.B) {
	const n, released = 10000, 100
	mine := make([]string, n)
	for i := range mine {
		mine[i] = fmt.Sprintf("co-%06d", i)
	}
	var rs []*aggregation.ReleaseRecord
	for r := range released {
		cs := make([]string, n)
		for i := range cs {
			cs[i] = fmt.Sprintf("co-%06d", i+n/2)
		}
		rs = append(rs, &aggregation.ReleaseRecord{
			Batch: batch(fmt.Sprintf("other%d@1", r)), Companies: cs})
	}
	for b.Loop() {
		if err := aggregation.CheckDifference(batch("mine@1"), mine, rs,
			10); err != nil {
			b.Fatal(err)
		}
	}
}
