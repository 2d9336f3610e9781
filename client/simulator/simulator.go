// Package simulator serves made-up OpenAI, Anthropic and Stripe
// accounts on loopback, so the collector can run for real, end to
// end, without any real company's data: in tests, in `infermargin
// demo`, and for founders who want to watch the collector work before
// they hand it a key.
//
// New draws n synthetic companies from a seed. Each has its own keys;
// the key a request carries selects the company, as with the real
// providers. The simulator speaks the three APIs as the clients in
// client/providers read them (OpenAI's costs, Anthropic's cost report,
// and Stripe's products, invoices, invoice lines and balance
// transactions at API version 2023-10-16), with their quirks: amounts
// as numbers or strings, cents as decimal strings, empty days, and
// pagination on every list. Truth returns what the metrics of a
// company must come to, computed from the simulator's own records.
//
// It deliberately is not a general Stripe emulator: it only lists, it
// ignores expand and every filter but created, it holds only USD, and
// it serves nothing it does not need for the five metrics. It never
// writes, persists or calls out.
package simulator

import (
	"net/http"
	"time"
)

// Company is one synthetic company: its keys and its choice of AI
// products, as a founder would configure the collector.
type Company struct {
	// ID names the company, like "sim-007".
	ID string
	// OpenAIKey is an admin key, sk-admin-sim-...; "" when the company
	// does not use OpenAI.
	OpenAIKey string
	// AnthropicKey is an admin key, sk-ant-admin-sim-...; "" when the
	// company does not use Anthropic.
	AnthropicKey string
	// StripeKey is a restricted key, rk_test_sim_...
	StripeKey string
	// AIProductIDs lists AI products by id; it may be empty when
	// AIMetadata marks them.
	AIProductIDs []string
	// AIMetadata marks AI products by metadata; nil when AIProductIDs
	// lists them all.
	AIMetadata map[string]string
}

// Simulator holds the synthetic companies and serves them. Its data
// never changes after New, so its handler may serve many requests at
// once.
type Simulator struct {
	// Latency delays every answer, for benchmarks; zero means none.
	// Set it before serving.
	Latency time.Duration

	start, now time.Time
	companies  []*company
	keys       map[string]int // any key to company index
}

// Option changes what New draws, for benchmarks.
type Option func(*options)

type options struct {
	invoices map[int]int // company index to its invoice count
}

// WithInvoices gives company i exactly n invoices: it draws customers
// until their invoices reach n, then keeps the n newest. Other
// companies are as without the option.
func WithInvoices(i, n int) Option {
	return func(o *options) { o.invoices[i] = n }
}

// New draws n companies from seed, with data from about 14 months
// before now up to now. The same seed, n, now and options give the
// same data, and company i is the same whatever n.
func New(seed uint64, n int, now time.Time, opts ...Option) *Simulator {
	o := options{invoices: map[int]int{}}
	for _, opt := range opts {
		opt(&o)
	}
	now = now.UTC().Truncate(time.Second)
	s := &Simulator{now: now, keys: map[string]int{},
		start: monthStart(now).AddDate(0, -months, 0)}
	for i := range max(n, 0) {
		c := generate(seed, i, s.start, now, o.invoices[i])
		s.companies = append(s.companies, c)
		for _, k := range []string{c.OpenAIKey, c.AnthropicKey,
			c.StripeKey} {
			if k != "" {
				s.keys[k] = i
			}
		}
	}
	return s
}

// Start returns the instant the simulated history begins: nothing,
// invoice, balance transaction or cost, is older. A collector that
// reads from Start sees every record Truth counts.
func (s *Simulator) Start() time.Time { return s.start }

// Now returns the instant the simulated history ends.
func (s *Simulator) Now() time.Time { return s.now }

// Companies returns the companies, in order; index i is the i of
// Truth.
func (s *Simulator) Companies() []Company {
	out := make([]Company, len(s.companies))
	for i, c := range s.companies {
		out[i] = c.Company
	}
	return out
}

// Handler serves the three providers' APIs on one mux.
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/organization/costs", s.openAICosts)
	mux.HandleFunc("GET /v1/organizations/cost_report", s.anthropicCosts)
	mux.HandleFunc("GET /v1/products", s.products)
	mux.HandleFunc("GET /v1/invoices", s.invoices)
	mux.HandleFunc("GET /v1/invoices/{id}/lines", s.invoiceLines)
	mux.HandleFunc("GET /v1/balance_transactions", s.balance)
	return s.delay(mux)
}

// delay waits s.Latency before each answer, or until the request is
// cancelled.
func (s *Simulator) delay(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Latency > 0 {
			t := time.NewTimer(s.Latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// company finds the company that owns key, or nil.
func (s *Simulator) company(key string) *company {
	i, ok := s.keys[key]
	if !ok || key == "" {
		return nil
	}
	return s.companies[i]
}

// monthStart returns the first instant of t's UTC month.
func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
