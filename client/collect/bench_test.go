package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/infermargin/infermargin/client/metrics"
	"github.com/infermargin/infermargin/client/simulator"
	"github.com/infermargin/infermargin/methodology"
)

// benchInvoices is the size of the benchmarked Stripe account.
const benchInvoices = 20_000

// BenchmarkCollect20kInvoices fetches and computes a month for one
// company of 20,000 invoices, every simulated API call 20 ms late,
// and checks that the collector sends no more calls than the
// pagination needs. Run it once: go test -run '^$' -bench
// Collect20k -benchtime 1x ./client/collect/
func BenchmarkCollect20kInvoices(b *testing.B) {
	// At the first second of December nothing is created after
	// November's end, so the window holds every invoice.
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	sim := simulator.New(7, 1, now,
		simulator.WithInvoices(0, benchInvoices))
	srv := httptest.NewServer(sim.Handler())
	b.Cleanup(srv.Close)
	co := sim.Companies()[0]
	cfg := simConfig(b, srv.URL, co)
	p, err := metrics.ParsePeriod("2026-11")
	if err != nil {
		b.Fatal(err)
	}
	want := minCalls(b, srv.URL, co, cfg.WindowOf(p))
	sim.Latency = 20 * time.Millisecond

	var st Stats
	var s *Summary
	start := time.Now()
	for b.Loop() {
		s, st, err = Compute(context.Background(), cfg, "2026-11", nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)

	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/collect")
	b.ReportMetric(benchInvoices, "invoices")
	var got, min int64
	for name, n := range st.Calls {
		b.ReportMetric(float64(n), name+"-calls")
		got += n
		min += want[name]
		if n != want[name] {
			b.Errorf("%s calls = %d, want %d (the pagination's "+
				"minimum)", name, n, want[name])
		}
	}
	b.ReportMetric(float64(got), "calls")
	b.ReportMetric(float64(min), "min-calls")
	checkBuckets(b, sim, s)
}

// simConfig configures the providers company co uses, against the
// simulator at base, its keys read from the environment.
func simConfig(b *testing.B, base string, co simulator.Company) *Config {
	c := &Config{Providers: Providers{Stripe: &Stripe{BaseURL: base,
		RestrictedKey: "env://IM_BENCH_STRIPE",
		AIProducts: AIProducts{IDs: co.AIProductIDs,
			Metadata: co.AIMetadata}}}}
	b.Setenv("IM_BENCH_STRIPE", co.StripeKey)
	if co.OpenAIKey != "" {
		b.Setenv("IM_BENCH_OPENAI", co.OpenAIKey)
		c.Providers.OpenAI = &AdminAPI{BaseURL: base,
			AdminKey: "env://IM_BENCH_OPENAI"}
	}
	if co.AnthropicKey != "" {
		b.Setenv("IM_BENCH_ANTHROPIC", co.AnthropicKey)
		c.Providers.Anthropic = &AdminAPI{BaseURL: base,
			AdminKey: "env://IM_BENCH_ANTHROPIC"}
	}
	if err := c.Validate(); err != nil {
		b.Fatal(err)
	}
	return c
}

// minCalls walks the simulator's Stripe lists itself, 100 items a
// page, and counts the fewest calls that read window w: the pages of
// products, invoices and balance transactions, one lines page per 100
// lines an invoice does not embed, and the cost pages (OpenAI serves
// 180 days a page, Anthropic 31).
func minCalls(b *testing.B, base string, co simulator.Company,
	w Window) map[string]int64 {
	created := url.Values{
		"created[gte]": {strconv.FormatInt(w.InvoiceStart.Unix(), 10)},
		"created[lt]":  {strconv.FormatInt(w.InvoiceEnd.Unix(), 10)}}
	var n int64
	n += listPages(b, base+"/v1/products", co.StripeKey, nil, nil)
	n += listPages(b, base+"/v1/invoices", co.StripeKey, created,
		func(inv map[string]any) int64 {
			ls := inv["lines"].(map[string]any)
			rest := ls["total_count"].(float64) -
				float64(len(ls["data"].([]any)))
			return (int64(rest) + 99) / 100
		})
	n += listPages(b, base+"/v1/balance_transactions", co.StripeKey,
		created, nil)
	out := map[string]int64{"stripe": n}
	days := int64(w.CostEnd.Sub(w.CostStart) / (24 * time.Hour))
	if co.OpenAIKey != "" {
		out[metrics.ProviderOpenAI] = (days + 179) / 180
	}
	if co.AnthropicKey != "" {
		out[metrics.ProviderAnthropic] = (days + 30) / 31
	}
	return out
}

// listPages reads a Stripe list to its end and returns its pages plus
// what extra adds up over its items.
func listPages(b *testing.B, u, key string, q url.Values,
	extra func(map[string]any) int64) int64 {
	q = maps.Clone(q)
	if q == nil {
		q = url.Values{}
	}
	q.Set("limit", "100")
	var pages int64
	for {
		var l struct {
			HasMore bool             `json:"has_more"`
			Data    []map[string]any `json:"data"`
		}
		getJSON(b, u+"?"+q.Encode(), key, &l)
		pages++
		for _, it := range l.Data {
			if extra != nil {
				pages += extra(it)
			}
		}
		if !l.HasMore || len(l.Data) == 0 {
			return pages
		}
		q.Set("starting_after", l.Data[len(l.Data)-1]["id"].(string))
	}
}

func getJSON(b *testing.B, u, key string, v any) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %s", resp.Request.URL.Path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		b.Fatal(err)
	}
}

// checkBuckets checks that the collector bucketed every metric as the
// simulator's own truth does, so the benchmark times a correct run.
func checkBuckets(b *testing.B, sim *simulator.Simulator, s *Summary) {
	tr, err := sim.Truth(0, "2026-11")
	if err != nil {
		b.Fatal(err)
	}
	m, err := methodology.Load("v1")
	if err != nil {
		b.Fatal(err)
	}
	for i := range m.Metrics {
		mt := &m.Metrics[i]
		want, err := mt.BucketOf(tr.Metrics[mt.Name])
		if err != nil {
			b.Fatal(err)
		}
		if got := s.Metrics[mt.Name].Bucket.Index; got != want {
			b.Errorf("%s bucket = %d, want %d (truth %v)", mt.Name, got,
				want, fmt.Sprint(deref(tr.Metrics[mt.Name])))
		}
	}
}

func deref(v *float64) any {
	if v == nil {
		return "n/a"
	}
	return *v
}
