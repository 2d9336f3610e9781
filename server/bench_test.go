package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/internal/testenv"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/servertest"
)

// setupWorkers is how many goroutines enroll companies and make
// reports before the timer starts.
const setupWorkers = 8

// benchStores are the stores each benchmark runs on; postgres skips
// without INFERMARGIN_TEST_POSTGRES.
var benchStores = []string{"sqlite", "postgres"}

// inProcess10k is aggregation's BenchmarkBatch total for 10,000 reports
// (BENCHMARKS.md), in seconds: the same protocol with no HTTP and
// in-memory stores.
const inProcess10k = 17.6

// BenchmarkUpload measures the leader accepting uploads over HTTP on
// loopback from concurrent clients (8, or IM_BENCH_WORKERS): JSON
// decoding, signature check, HPKE open, Prio3 PrepInit and the store
// writes, plus the HTTP round trip. Making and encoding the reports is
// not timed. It reports uploads per second and the p50 and p99 latency
// of one request.
func BenchmarkUpload(b *testing.B) {
	for _, kind := range benchStores {
		b.Run(kind, func(b *testing.B) { benchUpload(b, kind) })
	}
}

func benchUpload(b *testing.B, kind string) {
	p := newStorePair(b, kind)
	cs := enroll(b, p, max(min(b.N, 500), 10))
	bt := p.cohort(b, "upload", servertest.DefaultAnswers.UseCase)
	p.open(b, bt)
	bodies := uploads(b, bt, cs, b.N)
	hc := benchClient(b)
	url := p.srv[aggregation.Leader].URL
	w := benchWorkers(b)
	b.ResetTimer()
	lat, err := parallel(w, b.N, func(i int) error {
		return post(hc, url, bodies[i])
	})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "uploads/s")
	b.ReportMetric(percentile(lat, 50), "p50-ms")
	b.ReportMetric(percentile(lat, 99), "p99-ms")
}

// BenchmarkAggregateHTTP runs a whole batch through a leader and a
// helper over HTTP: upload every report to both nodes (from 8
// concurrent clients, or IM_BENCH_WORKERS), then the leader's admin
// aggregate call, which drives jobs of 100 reports through the helper,
// then publish. Enrolling companies and making reports is not timed.
// IM_BENCH_REPORTS sets the number of reports (default 10000). Run it
// with -benchtime=1x; each phase is reported as its own metric, and
// x-inprocess is the total over aggregation's in-process BenchmarkBatch
// for as many reports.
func BenchmarkAggregateHTTP(b *testing.B) {
	n := benchReports(b)
	for _, kind := range benchStores {
		b.Run(kind, func(b *testing.B) {
			b.Run(fmt.Sprintf("reports=%d", n), func(b *testing.B) {
				benchAggregateN(b, kind, n)
			})
		})
	}
}

// phases are the summed durations of a batch's timed phases.
type phases struct{ upload, aggregate, release time.Duration }

func benchAggregateN(b *testing.B, kind string, n int) {
	var ph phases
	for i := 0; i < b.N; i++ {
		benchAggregate(b, kind, n, &ph)
	}
	per := func(d time.Duration) float64 {
		return d.Seconds() / float64(b.N)
	}
	total := per(ph.upload + ph.aggregate + ph.release)
	b.ReportMetric(per(ph.upload), "upload-s")
	b.ReportMetric(per(ph.aggregate), "aggregate-s")
	b.ReportMetric(per(ph.release), "release-s")
	b.ReportMetric(total, "total-s")
	b.ReportMetric(total/(inProcess10k*float64(n)/10000), "x-inprocess")
}

func benchAggregate(b *testing.B, kind string, n int, ph *phases) {
	b.StopTimer()
	p := newStorePair(b, kind)
	cs := enroll(b, p, n)
	bt := p.cohort(b, "aggregate", servertest.DefaultAnswers.UseCase)
	p.open(b, bt)
	bodies := uploads(b, bt, cs, n)
	hc := benchClient(b)
	w := benchWorkers(b)
	ctx := context.Background()
	b.StartTimer()

	start := time.Now()
	if _, err := parallel(w, n, func(i int) error {
		for _, s := range p.srv {
			if err := post(hc, s.URL, bodies[i]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	ph.upload += time.Since(start)
	p.close(b, bt)

	start = time.Now()
	st, err := p.admin[aggregation.Leader].Aggregate(ctx, bt)
	if err != nil || st.Accepted != n {
		b.Fatalf("aggregate %s = %+v, %v; want %d accepted", bt, st, err, n)
	}
	ph.aggregate += time.Since(start)

	start = time.Now()
	rep, err := p.admin[aggregation.Leader].Publish(ctx, bt,
		aggregation.Public)
	if err != nil || rep.Count != uint64(n) {
		b.Fatalf("publish %s: count %d, %v; want %d", bt, rep.Count, err, n)
	}
	ph.release += time.Since(start)
	b.StopTimer()
	want := servertest.Want(p.m, cs)
	if diff := servertest.Diff(want, rep.Metrics); diff != "" {
		b.Fatalf("published %s differs from plaintext (-want +got):\n%s",
			bt, diff)
	}
}

func benchReports(b *testing.B) int {
	return envInt(b, "IM_BENCH_REPORTS", 10000)
}

// benchWorkers is how many clients upload at once in a timed phase.
func benchWorkers(b *testing.B) int {
	return envInt(b, "IM_BENCH_WORKERS", 8)
}

// envInt reads a positive number from the environment variable name,
// or returns def when it is unset.
func envInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

// newStorePair is newPair on the named store: "sqlite", or "postgres"
// with a new database for each node from testenv, which skips the
// benchmark without one. Its admin clients keep connections open.
func newStorePair(b *testing.B, kind string) *pair {
	b.Helper()
	var p *pair
	if kind == "sqlite" {
		p = newPair(b)
	} else {
		p = newPostgresPair(b)
	}
	for i := range p.admin {
		p.admin[i].HC = benchClient(b)
	}
	return p
}

// newPostgresPair is a pair whose nodes each keep their state in a
// database of their own on PostgreSQL, as in production.
func newPostgresPair(t testing.TB) *pair {
	t.Helper()
	return newPairOn(t, [2]string{testenv.Postgres(t), testenv.Postgres(t)})
}

// enroll makes n companies and enrolls them with both nodes.
func enroll(b *testing.B, p *pair, n int) []*servertest.Company {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	cs, err := servertest.Companies(p.m, n, rng, false, p.shares)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, a := range p.admin {
		if _, err := parallel(setupWorkers, n, func(i int) error {
			return a.Enroll(ctx, cs[i])
		}); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i += approveChunk {
			var ids []string
			for _, c := range cs[i:min(i+approveChunk, n)] {
				ids = append(ids, c.ID)
			}
			if _, err := a.Approve(ctx, "bench", ids...); err != nil {
				b.Fatal(err)
			}
		}
	}
	return cs
}

// approveChunk is how many companies one approval names, to stay
// within the admin body limit.
const approveChunk = 1000

// uploads makes n reports for bt, report i from company i mod
// len(cs), and returns their upload bodies. Each company makes its own
// reports in turn, so no client is used by two goroutines at once.
func uploads(b *testing.B, bt aggregation.BatchID,
	cs []*servertest.Company, n int) [][]byte {
	b.Helper()
	bodies := make([][]byte, n)
	if _, err := parallel(setupWorkers, len(cs), func(j int) error {
		for i := j; i < n; i += len(cs) {
			r, err := cs[j].Client.NewReport(bt, cs[j].Buckets)
			if err != nil {
				return err
			}
			if bodies[i], err = json.Marshal(api.FromReport(r)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	return bodies
}

// benchClient is an HTTP client that keeps a connection per worker
// open, so the benchmark measures requests and not TCP handshakes.
func benchClient(b *testing.B) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 2 * max(setupWorkers, benchWorkers(b))
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: time.Hour}
}

// post uploads one report body to the node at url and wants a 201.
func post(hc *http.Client, url string, body []byte) error {
	resp, err := hc.Post(url+"/v1/uploads", "application/json",
		bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("upload to %s = %d %s, want 201", url,
			resp.StatusCode, raw)
	}
	return nil
}

// parallel calls fn(0) to fn(n-1) from w goroutines and returns how
// long each call took. It stops at the first error and returns it.
func parallel(w, n int, fn func(i int) error) ([]time.Duration,
	error) {
	lat := make([]time.Duration, n)
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range w {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				start := time.Now()
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					next.Store(int64(n))
					return
				}
				lat[i] = time.Since(start)
			}
		})
	}
	wg.Wait()
	return lat, first
}

// percentile is the nearest-rank p-th percentile of d, in milliseconds.
func percentile(d []time.Duration, p int) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	r := max((p*len(s)+99)/100, 1)
	return float64(s[r-1]) / float64(time.Millisecond)
}
