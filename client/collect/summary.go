package collect

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/big"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/infermargin/infermargin/client/metrics"
	"github.com/infermargin/infermargin/methodology"
)

// Summary is what a run computed, for the founder to check before
// anything leaves the machine. Its JSON form is what --json prints.
type Summary struct {
	Period      string          `json:"period"`
	Methodology MethodologyRef  `json:"methodology"`
	Inputs      Figures         `json:"inputs"`
	Metrics     map[string]Item `json:"metrics"`
	// Products are the matched AI products, sorted by id.
	Products []metrics.Product `json:"-"`
	// UnknownAI are configured AI ids Stripe does not know.
	UnknownAI []string `json:"-"`

	r *metrics.Result
	m *methodology.Methodology
}

// MethodologyRef names the methodology the metrics follow.
type MethodologyRef struct {
	Version string `json:"version"`
	Digest  string `json:"digest"`
}

// Figures are the intermediate figures in US dollars, each the exact
// amount rounded once to the nearest float64.
type Figures struct {
	LLMSpend              float64 `json:"llm_spend_usd"`
	AIRevenue             float64 `json:"ai_revenue_usd"`
	MRR                   float64 `json:"mrr_usd"`
	MRRPrev               float64 `json:"mrr_prev_usd"`
	ActivePayingCustomers int     `json:"active_paying_customers"`
	AIPaymentFees         float64 `json:"ai_payment_fees_usd"`
	TotalRevenue          float64 `json:"total_revenue_usd"`
}

// Item is one metric: its value, nil when n/a, and its bucket.
type Item struct {
	Value  *float64 `json:"value"`
	Bucket Bucket   `json:"bucket"`
}

// Bucket is a bucket of a metric's histogram: its index, which is
// what is secret-shared, and its range. In JSON it is {"lo", "hi"},
// null for an open end, or the string "n/a".
type Bucket struct {
	Index int
	Range methodology.Range
}

// MarshalJSON writes the range, or "n/a".
func (b Bucket) MarshalJSON() ([]byte, error) {
	if b.Range.NA {
		return json.Marshal("n/a")
	}
	return json.Marshal(struct {
		Lo *float64 `json:"lo"`
		Hi *float64 `json:"hi"`
	}{b.Range.Lo, b.Range.Hi})
}

// NewSummary buckets the metrics of r under m.
func NewSummary(m *methodology.Methodology, r *metrics.Result) (*Summary,
	error) {
	s := &Summary{Period: r.Period.String(),
		Methodology: MethodologyRef{m.Version, m.Digest()},
		Inputs:      figures(r), Metrics: map[string]Item{},
		Products: r.MatchedProducts, r: r, m: m}
	for i := range m.Metrics {
		mt := &m.Metrics[i]
		v, ok := r.Metrics[mt.Name]
		if !ok {
			return nil, fmt.Errorf("summary: metric %s not computed",
				mt.Name)
		}
		b, err := bucketOf(mt, v)
		if err != nil {
			return nil, fmt.Errorf("summary: %w", err)
		}
		s.Metrics[mt.Name] = Item{Value: v, Bucket: b}
	}
	return s, nil
}

func bucketOf(mt *methodology.Metric, v *float64) (Bucket, error) {
	i, err := mt.BucketOf(v)
	if err != nil {
		return Bucket{}, err
	}
	r, err := mt.Range(i)
	return Bucket{Index: i, Range: r}, err
}

func figures(r *metrics.Result) Figures {
	return Figures{LLMSpend: float(r.LLMSpend),
		AIRevenue: float(r.AIRevenue), MRR: float(r.MRR),
		MRRPrev:               float(r.MRRPrev),
		ActivePayingCustomers: r.ActivePayingCustomers,
		AIPaymentFees:         float(r.AIPaymentFees),
		TotalRevenue:          float(r.TotalRevenue)}
}

// float rounds q once to the nearest float64.
func float(q *big.Rat) float64 {
	f, _ := q.Float64()
	return f
}

// Buckets returns the bucket indices in methodology order, the only
// thing a report carries, secret-shared.
func (s *Summary) Buckets() []uint64 {
	out := make([]uint64, len(s.m.Metrics))
	for i, mt := range s.m.Metrics {
		out[i] = uint64(s.Metrics[mt.Name].Bucket.Index)
	}
	return out
}

// WriteJSON writes the summary as indented JSON.
func (s *Summary) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(s)
}

// WriteText writes the summary for people: figures to the cent, the
// metrics with their buckets and the matched AI products.
func (s *Summary) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Period %s, methodology %s (digest %s)\n\n",
		s.Period, s.Methodology.Version, s.Methodology.Digest)
	s.writeFigures(tw)
	s.writeMetrics(tw)
	s.writeProducts(tw)
	return tw.Flush()
}

func (s *Summary) writeFigures(w io.Writer) {
	r := s.r
	prev := r.Period.Prev().String()
	fmt.Fprintln(w, "Figures (USD)")
	for _, f := range []struct {
		name string
		v    *big.Rat
	}{
		{"LLM spend", r.LLMSpend},
		{"AI revenue", r.AIRevenue},
		{"Total revenue", r.TotalRevenue},
		{"MRR " + s.Period, r.MRR},
		{"MRR " + prev, r.MRRPrev},
		{"AI share of payment fees", r.AIPaymentFees},
	} {
		fmt.Fprintf(w, "  %s\t%s\n", f.name, f.v.FloatString(2))
	}
	fmt.Fprintf(w, "  Active paying customers\t%d\n\n",
		r.ActivePayingCustomers)
}

func (s *Summary) writeMetrics(w io.Writer) {
	fmt.Fprintln(w, "Metrics\tvalue\tbucket")
	for _, mt := range s.m.Metrics {
		it := s.Metrics[mt.Name]
		v := "n/a"
		if it.Value != nil {
			v = fmt.Sprintf("%.6g", *it.Value)
		}
		fmt.Fprintf(w, "  %s\t%s\t%s (#%d)\n", mt.Name, v,
			it.Bucket.Range, it.Bucket.Index)
	}
	fmt.Fprintln(w)
}

func (s *Summary) writeProducts(w io.Writer) {
	fmt.Fprintf(w, "AI products matched: %d\n", len(s.Products))
	for _, p := range s.Products {
		fmt.Fprintf(w, "  %s\t%s\n", p.ID, metadata(p.Metadata))
	}
	if len(s.UnknownAI) > 0 {
		fmt.Fprintf(w, "Warning: Stripe has no product %s (typo?)\n",
			strings.Join(s.UnknownAI, ", "))
	}
}

func metadata(md map[string]string) string {
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(md)) {
		kv = append(kv, k+"="+md[k])
	}
	return strings.Join(kv, " ")
}
