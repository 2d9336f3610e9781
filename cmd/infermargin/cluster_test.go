package main

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/node"
	"github.com/infermargin/infermargin/server/servertest"
)

// flow is a cluster holding one closed batch of 60 companies' reports,
// with the plaintext they were made from.
type flow struct {
	*cluster
	m  *methodology.Methodology
	b  aggregation.BatchID
	cs []*servertest.Company
}

func newFlow(t *testing.T, jobSize int, cohort string,
	distinct bool) *flow {
	t.Helper()
	f := &flow{cluster: newCluster(t, jobSize),
		b: aggregation.BatchID{Cohort: cohort, Period: "2026-11",
			Methodology: "v1"}}
	var err error
	if f.m, err = methodology.Load("v1"); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(42, 60))
	f.cs, err = servertest.Companies(f.m, 60, rng, distinct, f.shares)
	if err != nil {
		t.Fatal(err)
	}
	f.fill(t, f.b, f.cs)
	return f
}

// TestTwoProcesses runs the full flow between a leader and a helper in
// their own processes, each on its own PostgreSQL database: 60
// companies upload, the leader aggregates with the helper over HTTP,
// and the published percentiles equal those of the plaintext.
func TestTwoProcesses(t *testing.T) {
	f := newFlow(t, 10, "procs@1", false)
	c, m, b, cs := f.cluster, f.m, f.b, f.cs
	ctx := context.Background()

	st, err := c.admin[0].Aggregate(ctx, b)
	if err != nil || st.Accepted != 60 || st.Rejected != 0 {
		t.Fatalf("aggregate = %+v, %v; want 60 accepted", st, err)
	}
	got, err := c.admin[0].Publish(ctx, b, aggregation.Public)
	if err != nil {
		t.Fatal(err)
	}
	if diff := servertest.Diff(servertest.Want(m, cs), got.Metrics); diff != "" {
		t.Errorf("published differs from plaintext (-want +got):\n%s", diff)
	}
	read, err := c.admin[0].Report(ctx, api.Ref(b))
	if err != nil || !cmp.Equal(read, got) {
		t.Errorf("GET /v1/reports/%s = %v, %v; want what was published",
			api.Ref(b), read, err)
	}
	f.checkHistograms(t)
}

// checkHistograms collects the batch from the leader and, with the
// publisher's key, checks every metric's histogram against the
// plaintext: a report counted twice or lost shows here.
func (f *flow) checkHistograms(t *testing.T) {
	t.Helper()
	c, m := f.cluster, f.m
	col, err := c.admin[0].Collect(context.Background(), f.b,
		aggregation.Public)
	if err != nil {
		t.Fatal(err)
	}
	key, err := node.OpenPublisherKey(c.procs[0].dir)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := aggregation.NewPublisher(m, key, c.to[0].Key, c.to[1].Key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pub.Histograms(col)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(servertest.Histograms(m, f.cs), got); diff != "" {
		t.Errorf("histograms differ from plaintext (-want +got):\n%s", diff)
	}
}

// TestCrashRecovery kills the helper, then in a second run the leader,
// with SIGKILL in the middle of aggregation, restarts it on the same
// database, and checks that running the jobs again counts every report
// exactly once.
func TestCrashRecovery(t *testing.T) {
	for _, victim := range []aggregation.Role{aggregation.Helper,
		aggregation.Leader} {
		t.Run(victim.String(), func(t *testing.T) {
			crashRun(t, victim)
		})
	}
}

func crashRun(t *testing.T, victim aggregation.Role) {
	f := newFlow(t, 5, "crash@1", true)
	c, b := f.cluster, f.b
	ctx := context.Background()

	lines := c.procs[aggregation.Helper].watch()
	done := make(chan error, 1)
	go func() {
		_, err := c.admin[0].Aggregate(ctx, b)
		done <- err
	}()
	waitJobs(t, lines, 3)
	c.procs[victim].kill()
	if err := <-done; err == nil {
		t.Fatalf("aggregation finished although the %s was killed after "+
			"3 of 12 jobs", victim)
	}

	c.procs[victim].start(t)
	st, err := c.admin[0].Aggregate(ctx, b)
	if err != nil {
		t.Fatalf("aggregate after restarting the %s: %v", victim, err)
	}
	t.Logf("second run: %+v", st)
	f.checkHistograms(t)
	got, err := c.admin[0].Publish(ctx, b, aggregation.Public)
	if err != nil || got.Count != 60 {
		t.Fatalf("publish after crash = %v (count %d), want 60 reports",
			err, got.Count)
	}
}

// waitJobs waits until the helper has answered n jobs.
func waitJobs(t *testing.T, lines <-chan string, n int) {
	t.Helper()
	timeout := time.After(time.Minute)
	for seen := 0; seen < n; {
		select {
		case l := <-lines:
			if strings.Contains(l, `"path":"/v1/internal/jobs/`) &&
				strings.Contains(l, `"status":200`) {
				seen++
			}
		case <-timeout:
			t.Fatalf("helper answered %d jobs in a minute, want %d", seen, n)
		}
	}
}
