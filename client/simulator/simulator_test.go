package simulator

import (
	"context"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/infermargin/infermargin/client/metrics"
	"github.com/infermargin/infermargin/client/providers/anthropic"
	"github.com/infermargin/infermargin/client/providers/cost"
	"github.com/infermargin/infermargin/client/providers/fetch"
	"github.com/infermargin/infermargin/client/providers/openai"
	"github.com/infermargin/infermargin/client/providers/stripe"
)

const (
	testSeed = 42
	testN    = 20
)

// testNow is mid-month, mid-day, at an odd second, so that the month of
// now is partial and P is the month before it.
var testNow = time.Date(2026, 11, 17, 13, 45, 7, 0, time.UTC)

// serve starts a simulator and returns it with its base URL.
func serve(t *testing.T) (*Simulator, *httptest.Server) {
	t.Helper()
	s := New(testSeed, testN, testNow)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, srv
}

// fetched is what the real clients read for one company.
type fetched struct {
	costs  []metrics.Cost
	stripe *stripe.Data
}

// fetchAll runs the real provider clients for company c over the whole
// history.
func fetchAll(t *testing.T, s *Simulator, srv *httptest.Server,
	c Company) fetched {
	t.Helper()
	ctx := context.Background()
	start, end := s.Start(), s.Now()
	var f fetched
	if c.OpenAIKey != "" {
		oc := &openai.Client{BaseURL: srv.URL, HTTP: srv.Client(),
			AdminKey: fetch.Secret(c.OpenAIKey)}
		bs, err := oc.Costs(ctx, start, end)
		if err != nil {
			t.Fatalf("%s: openai Costs: %v", c.ID, err)
		}
		f.costs = append(f.costs, toCosts(metrics.ProviderOpenAI, bs)...)
	}
	if c.AnthropicKey != "" {
		ac := &anthropic.Client{BaseURL: srv.URL, HTTP: srv.Client(),
			AdminKey: fetch.Secret(c.AnthropicKey)}
		bs, err := ac.Costs(ctx, start, end)
		if err != nil {
			t.Fatalf("%s: anthropic Costs: %v", c.ID, err)
		}
		f.costs = append(f.costs,
			toCosts(metrics.ProviderAnthropic, bs)...)
	}
	sc := &stripe.Client{BaseURL: srv.URL, HTTP: srv.Client(),
		Key: fetch.Secret(c.StripeKey), Retries: -1}
	d, err := sc.Fetch(ctx, start, end, metrics.AIProducts{
		IDs: c.AIProductIDs, Metadata: c.AIMetadata})
	if err != nil {
		t.Fatalf("%s: stripe Fetch: %v", c.ID, err)
	}
	f.stripe = d
	return f
}

func toCosts(provider string, bs []cost.Bucket) []metrics.Cost {
	out := make([]metrics.Cost, len(bs))
	for i, b := range bs {
		out[i] = metrics.Cost{Provider: provider, Start: b.Start,
			Amount: b.Amount, Currency: b.Currency}
	}
	return out
}

func checkCosts(t *testing.T, provider string, got []metrics.Cost,
	want map[int64][]costResult) {
	t.Helper()
	gotSum, wantSum := new(big.Rat), new(big.Rat)
	days := 0
	for _, c := range got {
		if c.Provider == provider {
			gotSum.Add(gotSum, c.Amount)
			days++
		}
	}
	for _, rs := range want {
		for _, r := range rs {
			wantSum.Add(wantSum, big.NewRat(r.micros, microsPerDollar))
		}
	}
	if gotSum.Cmp(wantSum) != 0 || days != len(want) {
		t.Errorf("%s costs = %s over %d days, want %s over %d", provider,
			gotSum.FloatString(6), days, wantSum.FloatString(6),
			len(want))
	}
}

func checkStripe(t *testing.T, d *stripe.Data, rec *company) {
	t.Helper()
	if len(d.Products) != len(rec.products) {
		t.Errorf("products = %d, want %d", len(d.Products),
			len(rec.products))
	}
	if len(d.Invoices) != len(rec.invoices) {
		t.Fatalf("invoices = %d, want %d", len(d.Invoices),
			len(rec.invoices))
	}
	for k, inv := range d.Invoices {
		want := rec.invoices[k]
		if inv.ID != want.id || len(inv.Lines) != len(want.lines) {
			t.Errorf("invoice %d = %s with %d lines, want %s with %d", k,
				inv.ID, len(inv.Lines), want.id, len(want.lines))
		}
	}
	var fees, wantFees int64
	for _, b := range d.BalanceTransactions {
		fees += b.Fee
	}
	for _, b := range rec.balance {
		wantFees += b.fee
	}
	if len(d.BalanceTransactions) != len(rec.balance) ||
		fees != wantFees {
		t.Errorf("balance transactions = %d, fees %d; want %d, fees %d",
			len(d.BalanceTransactions), fees, len(rec.balance), wantFees)
	}
	if len(d.UnknownAI) != 0 {
		t.Errorf("unknown AI products %v, want none", d.UnknownAI)
	}
}

// TestCrossCheck runs the real clients against the simulator for every
// company and checks that they read back exactly what the simulator
// holds; then it feeds what they read into metrics.Compute and compares
// every figure and metric with Truth: the simulator's truth and the
// collector's computation must agree to the last bit.
func TestCrossCheck(t *testing.T) {
	s, srv := serve(t)
	p := metrics.PeriodOf(monthStart(testNow).AddDate(0, -1, 0))
	for i, c := range s.Companies() {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			f := fetchAll(t, s, srv, c)
			rec := s.companies[i]
			checkCosts(t, metrics.ProviderOpenAI, f.costs, rec.openai)
			checkCosts(t, metrics.ProviderAnthropic, f.costs,
				rec.anthropic)
			checkStripe(t, f.stripe, rec)

			in := &metrics.Inputs{Costs: f.costs}
			f.stripe.Fill(in)
			got, err := metrics.Compute(in, p)
			if err != nil {
				t.Fatalf("Compute: %v", err)
			}
			want, err := s.Truth(i, p.String())
			if err != nil {
				t.Fatalf("Truth: %v", err)
			}
			compareFigures(t, got, want)
			compareMetrics(t, got.Metrics, want.Metrics)
		})
	}
}

func compareFigures(t *testing.T, got *metrics.Result, want *Truth) {
	t.Helper()
	rats := []struct {
		name      string
		got, want *big.Rat
	}{
		{"LLMSpend", got.LLMSpend, want.LLMSpend},
		{"AIRevenue", got.AIRevenue, want.AIRevenue},
		{"TotalRevenue", got.TotalRevenue, want.TotalRevenue},
		{"MRR", got.MRR, want.MRR},
		{"MRRPrev", got.MRRPrev, want.MRRPrev},
		{"PaymentFees", got.PaymentFees, want.PaymentFees},
		{"AIPaymentFees", got.AIPaymentFees, want.AIPaymentFees},
	}
	for _, r := range rats {
		if r.got.Cmp(r.want) != 0 {
			t.Errorf("%s = %s, want %s", r.name, r.got.FloatString(4),
				r.want.FloatString(4))
		}
	}
	if got.ActivePayingCustomers != want.ActivePayingCustomers {
		t.Errorf("ActivePayingCustomers = %d, want %d",
			got.ActivePayingCustomers, want.ActivePayingCustomers)
	}
}

func compareMetrics(t *testing.T, got, want map[string]*float64) {
	t.Helper()
	if len(want) != 5 || len(got) != len(want) {
		t.Fatalf("metrics: got %d, want 5 of %d", len(got), len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s missing from Compute", name)
		case (g == nil) != (w == nil):
			t.Errorf("%s n/a = %v, want %v", name, g == nil, w == nil)
		case g != nil && *g != *w:
			t.Errorf("%s = %v, want %v", name, *g, *w)
		}
	}
}

// TestDeterminism checks that the same seed gives the same data and
// another seed other data.
func TestDeterminism(t *testing.T) {
	a, b := New(7, 5, testNow), New(7, 5, testNow)
	if !reflect.DeepEqual(a.companies, b.companies) {
		t.Error("New(7, 5) twice: companies differ")
	}
	if c := New(8, 5, testNow); reflect.DeepEqual(a.companies,
		c.companies) {
		t.Error("New(7, 5) and New(8, 5): companies are equal")
	}
	if one := New(7, 1, testNow); !reflect.DeepEqual(one.companies[0],
		a.companies[0]) {
		t.Error("company 0 depends on n")
	}
}

// TestUnknownKey checks that a key the simulator does not know, or
// another provider's key, gets each provider's 401.
func TestUnknownKey(t *testing.T) {
	s, srv := serve(t)
	c := s.Companies()[0]
	tests := []struct {
		path, header, value string
	}{
		{"/v1/organization/costs?start_time=0", "Authorization",
			"Bearer sk-admin-sim-nope"},
		{"/v1/organization/costs?start_time=0", "Authorization",
			"Bearer " + c.StripeKey},
		{"/v1/organizations/cost_report?starting_at=" +
			"2026-01-01T00:00:00Z", "X-Api-Key", "sk-ant-admin-sim-x"},
		{"/v1/products", "Authorization", "Bearer rk_test_sim_nope"},
		{"/v1/invoices", "Authorization", "Bearer " + c.OpenAIKey},
	}
	for _, tt := range tests {
		if got := get(t, srv, tt.path, tt.header, tt.value); got != 401 {
			t.Errorf("GET %s = %d, want 401", tt.path, got)
		}
	}
}

// TestCoverage checks that the generator draws the cases the collector
// must handle, across the test's companies.
func TestCoverage(t *testing.T) {
	s := New(testSeed, testN, testNow)
	seen := map[string]bool{}
	for _, c := range s.companies {
		coverCompany(c, seen)
	}
	for _, k := range []string{"openai only", "anthropic only", "both",
		"over 100 invoices", "over 100 products", "over 10 lines",
		"open", "void", "draft",
		"metered", "annual", "100% off", "trial", "refund", "payout",
		"empty day", "string amount", "number amount", "by metadata",
		"by id", "tax"} {
		if !seen[k] {
			t.Errorf("no company has %s", k)
		}
	}
}

func coverCompany(c *company, seen map[string]bool) {
	seen["openai only"] = seen["openai only"] || c.AnthropicKey == ""
	seen["anthropic only"] = seen["anthropic only"] || c.OpenAIKey == ""
	seen["both"] = seen["both"] ||
		c.OpenAIKey != "" && c.AnthropicKey != ""
	seen["over 100 invoices"] = seen["over 100 invoices"] ||
		len(c.invoices) > 100
	seen["over 100 products"] = seen["over 100 products"] ||
		len(c.products) > 100
	seen["by metadata"] = seen["by metadata"] || c.AIMetadata != nil
	seen["by id"] = seen["by id"] || len(c.AIProductIDs) > 0
	for _, inv := range c.invoices {
		seen[inv.status] = true
		seen["over 10 lines"] = seen["over 10 lines"] ||
			len(inv.lines) > 10
		for _, l := range inv.lines {
			coverLine(l, seen)
		}
	}
	for _, b := range c.balance {
		seen[b.typ] = true
	}
	coverCosts(c, seen)
}

func coverLine(l line, seen map[string]bool) {
	seen[l.usage] = true
	seen["annual"] = seen["annual"] || l.interval == "year"
	seen["trial"] = seen["trial"] || l.subscription && l.amount == 0
	seen["tax"] = seen["tax"] || l.exTax != l.amount
	for _, d := range l.discounts {
		seen["100% off"] = seen["100% off"] || d == l.amount && d > 0
	}
}

// coverCosts notes OpenAI's amount forms and empty days: a day with
// spend, well before now, whose next day has none.
func coverCosts(c *company, seen map[string]bool) {
	for day, rs := range c.openai {
		_, next := c.openai[day+86400]
		if !next && day < testNow.Unix()-2*86400 {
			seen["empty day"] = true
		}
		for _, r := range rs {
			seen["string amount"] = seen["string amount"] || r.asString
			seen["number amount"] = seen["number amount"] || !r.asString
		}
	}
}

// TestDecimal checks the writing of amounts.
func TestDecimal(t *testing.T) {
	tests := []struct {
		n      int64
		places int
		want   string
	}{
		{1, 6, "0.000001"},
		{12345678, 6, "12.345678"},
		{-5, 4, "-0.0005"},
		{0, 4, "0.0000"},
	}
	for _, tt := range tests {
		if got := decimal(tt.n, tt.places); got != tt.want {
			t.Errorf("decimal(%d, %d) = %q, want %q", tt.n, tt.places,
				got, tt.want)
		}
	}
}

// TestBadQuery checks that the simulator refuses queries the real APIs
// refuse, with their status, rather than guessing.
func TestBadQuery(t *testing.T) {
	s, srv := serve(t)
	var c Company
	for _, x := range s.Companies() {
		if x.OpenAIKey != "" && x.AnthropicKey != "" {
			c = x
			break
		}
	}
	oa := "Bearer " + c.OpenAIKey
	st := "Bearer " + c.StripeKey
	tests := []struct {
		path, header, value string
		want                int
	}{
		{"/v1/organization/costs?start_time=x", "Authorization", oa, 400},
		{"/v1/organization/costs?start_time=0&limit=181",
			"Authorization", oa, 400},
		{"/v1/organization/costs?start_time=0&page=nope",
			"Authorization", oa, 400},
		{"/v1/organization/costs?start_time=0&bucket_width=1h",
			"Authorization", oa, 400},
		{"/v1/organization/costs?start_time=0&limit=180",
			"Authorization", oa, 200},
		{"/v1/organizations/cost_report?starting_at=2026-01-01T00:00:00Z" +
			"&limit=32", "X-Api-Key", c.AnthropicKey, 400},
		{"/v1/organizations/cost_report?starting_at=yesterday",
			"X-Api-Key", c.AnthropicKey, 400},
		{"/v1/invoices?limit=101", "Authorization", st, 400},
		{"/v1/invoices?starting_after=in_nope", "Authorization", st, 400},
		{"/v1/invoices/in_nope/lines", "Authorization", st, 404},
		{"/v1/balance_transactions?created[gte]=x", "Authorization", st,
			400},
		{"/v1/products", "Authorization", st, 200},
	}
	for _, tt := range tests {
		if got := get(t, srv, tt.path, tt.header, tt.value); got != tt.want {
			t.Errorf("GET %s = %d, want %d", tt.path, got, tt.want)
		}
	}
}

// get sends a GET with one auth header and returns the status.
func get(t *testing.T, srv *httptest.Server, path, header,
	value string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(header, value)
	req.Header.Set("Anthropic-Version", anthropic.Version)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}
