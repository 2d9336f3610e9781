package postgres_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/internal/testenv"
	"github.com/infermargin/infermargin/server/store"
	"github.com/infermargin/infermargin/server/store/postgres"
	"github.com/infermargin/infermargin/server/store/storetest"
)

func open(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, testenv.Postgres(t))
	})
}

var batch = aggregation.BatchID{Cohort: "c@1", Period: "2026-11",
	Methodology: "v1"}

func TestReopenKeepsData(t *testing.T) {
	url := testenv.Postgres(t)
	storetest.RunReopen(t, func(t *testing.T) store.Store {
		return open(t, url)
	})
}

func TestOpenBadURL(t *testing.T) {
	for _, url := range []string{
		"postgres://user:s3cret-pw@127.0.0.1:99999/db",
		"postgres://user:s3cret-pw@127.0.0.1:1/db?sslmode=disable",
	} {
		s, err := postgres.Open(t.Context(), url)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) = nil error, want one", url)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "open postgres: ") {
			t.Errorf("Open(%q) = %q, want it to start with "+
				"\"open postgres: \"", url, msg)
		}
		if strings.Contains(msg, "s3cret-pw") {
			t.Errorf("Open(%q) = %q, which shows the password", url, msg)
		}
	}
}

// TestReplicasShareDatabase runs claimers on two stores opened on one
// database, as two leader replicas would: row locks, not the pool, must
// keep their jobs apart.
func TestReplicasShareDatabase(t *testing.T) {
	url := testenv.Postgres(t)
	replicas := []*postgres.Store{open(t, url), open(t, url)}
	const n = 60
	seed(t, replicas, n)

	claimed := make([][]aggregation.ReportID, 2*len(replicas))
	errs := make([]error, len(claimed))
	var wg sync.WaitGroup
	for w := range claimed {
		wg.Go(func() {
			claimed[w], errs[w] = claimAll(t, replicas[w%2], w)
		})
	}
	wg.Wait()

	seen := map[aggregation.ReportID]int{}
	for w, ids := range claimed {
		if errs[w] != nil {
			t.Errorf("claimer %d: %v", w, errs[w])
		}
		for _, id := range ids {
			seen[id]++
		}
	}
	for id, k := range seen {
		if k > 1 {
			t.Errorf("report %s claimed %d times, want once", id, k)
		}
	}
	if len(seen) != n {
		t.Errorf("%d reports claimed, want %d", len(seen), n)
	}
}

// seed opens batch and puts n reports in it, through each store in
// turn.
func seed(t *testing.T, stores []*postgres.Store, n int) {
	t.Helper()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if err := stores[0].OpenBatch(t.Context(), batch, at); err != nil {
		t.Fatalf("OpenBatch() = %v", err)
	}
	for i := range n {
		r := report(t, fmt.Sprintf("co-%d", i))
		err := stores[i%len(stores)].PutReport(t.Context(), r, at)
		if err != nil {
			t.Fatalf("PutReport() = %v", err)
		}
	}
}

func claimAll(t *testing.T, s *postgres.Store, w int) (
	[]aggregation.ReportID, error) {
	l := aggregation.Lease{Holder: fmt.Sprintf("replica-%d", w),
		Until: time.Now().Add(time.Minute)}
	var out []aggregation.ReportID
	for {
		id, err := aggregation.NewJobID()
		if err != nil {
			return out, err
		}
		j, err := s.ClaimJob(t.Context(), batch, id, 2, l)
		if err != nil || len(j.Reports) == 0 {
			return out, err
		}
		out = append(out, j.Reports...)
	}
}

func report(t *testing.T, company string) *aggregation.Report {
	t.Helper()
	id, err := aggregation.NewReportID()
	if err != nil {
		t.Fatal(err)
	}
	return &aggregation.Report{ID: id, Batch: batch, Company: company,
		Public: [][]byte{{1}}, Shares: [2][]byte{{2}, {3}},
		Signature: []byte{4}}
}
