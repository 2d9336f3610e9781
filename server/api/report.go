package api

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
)

// Report is a published report: GET /v1/reports/{id}. Each metric has
// either n and its four percentiles as bucket ranges, or a suppression
// with its reason; never a count per bucket or anything about one
// company.
type Report struct {
	ID          string         `json:"id"`
	Cohort      string         `json:"cohort"`
	Period      string         `json:"period"`
	Tier        string         `json:"tier"`
	Methodology Methodology    `json:"methodology"`
	PublishedAt time.Time      `json:"published_at"`
	Count       uint64         `json:"count"`
	Metrics     []ReportMetric `json:"metrics"`
	// Statements are both aggregators' signed statements in base64,
	// absent when the release was refused.
	Statements *Statements `json:"statements,omitempty"`
}

// Methodology names the methodology a report was computed under.
type Methodology struct {
	Version string `json:"version"`
	Digest  string `json:"digest"`
}

// ReportMetric is one metric of a published report.
type ReportMetric struct {
	Name        string                 `json:"name"`
	N           *uint64                `json:"n,omitempty"`
	Percentiles map[string]BucketRange `json:"percentiles,omitempty"`
	Suppressed  bool                   `json:"suppressed,omitempty"`
	Reason      string                 `json:"reason,omitempty"`
}

// BucketRange is the bucket a percentile falls in, [lo, hi). A null lo
// is minus infinity and a null hi is plus infinity.
type BucketRange struct {
	Lo *float64 `json:"lo"`
	Hi *float64 `json:"hi"`
}

// Statements are the two aggregators' signed statements, base64.
type Statements struct {
	Leader string `json:"leader"`
	Helper string `json:"helper"`
}

// Summary is one entry of GET /v1/reports.
type Summary struct {
	ID          string    `json:"id"`
	Cohort      string    `json:"cohort"`
	Period      string    `json:"period"`
	Tier        string    `json:"tier"`
	Methodology string    `json:"methodology"`
	PublishedAt time.Time `json:"published_at"`
	// Suppressed is true when every metric is suppressed, and Reason
	// then says why.
	Suppressed bool   `json:"suppressed"`
	Reason     string `json:"reason,omitempty"`
}

// Reports is the body of GET /v1/reports.
type Reports struct {
	Reports []Summary `json:"reports"`
}

// FromPublished encodes a published result for the public.
func FromPublished(p *aggregation.Published, at time.Time) (*Report,
	error) {
	out := &Report{ID: PublicationID(p.Batch, p.Tier), Cohort: p.Batch.Cohort,
		Period: p.Batch.Period, Tier: p.Tier.String(),
		Methodology: Methodology{Version: p.Methodology, Digest: p.Digest},
		PublishedAt: at.UTC(), Count: p.Count}
	for _, m := range p.Metrics {
		out.Metrics = append(out.Metrics, fromMetric(m))
	}
	if p.Statements[0] == nil || p.Statements[1] == nil {
		return out, nil
	}
	l, err := p.Statements[0].MarshalBinary()
	if err != nil {
		return nil, err
	}
	h, err := p.Statements[1].MarshalBinary()
	if err != nil {
		return nil, err
	}
	out.Statements = &Statements{Leader: enc(l), Helper: enc(h)}
	return out, nil
}

// PublicationID is the id of a batch's published report for a tier: its
// Ref, followed by ".private" for the members' tier.
func PublicationID(b aggregation.BatchID, t aggregation.Tier) string {
	if t == aggregation.Private {
		return Ref(b) + ".private"
	}
	return Ref(b)
}

func fromMetric(m aggregation.PublishedMetric) ReportMetric {
	if m.Suppressed {
		return ReportMetric{Name: m.Name, Suppressed: true,
			Reason: m.Reason}
	}
	n := m.N
	out := ReportMetric{Name: m.Name, N: &n,
		Percentiles: map[string]BucketRange{}}
	for _, p := range m.Percentiles {
		out.Percentiles[fmt.Sprintf("p%d", p.P)] = fromRange(p.Range)
	}
	return out
}

func fromRange(r methodology.Range) BucketRange {
	return BucketRange{Lo: r.Lo, Hi: r.Hi}
}

// Summary returns the report's entry in the list.
func (r *Report) Summary() Summary {
	s := Summary{ID: r.ID, Cohort: r.Cohort, Period: r.Period,
		Tier: r.Tier, Methodology: r.Methodology.Version,
		PublishedAt: r.PublishedAt, Suppressed: true}
	for _, m := range r.Metrics {
		if !m.Suppressed {
			s.Suppressed = false
		}
	}
	if s.Suppressed && len(r.Metrics) > 0 {
		s.Reason = r.Metrics[0].Reason
	}
	return s
}

// Text is the metric on one line for people: "n=40    p25 [0.1, 0.15)
// p50 ...", percentiles in point order, or "suppressed: " and the
// reason.
func (m ReportMetric) Text() string {
	if m.Suppressed || m.N == nil {
		return "suppressed: " + m.Reason
	}
	keys := make([]string, 0, len(m.Percentiles))
	for k := range m.Percentiles {
		keys = append(keys, k)
	}
	// "p5" before "p25" before "p100": by length, then by text.
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b))
	})
	parts := []string{fmt.Sprintf("n=%-4d", *m.N)}
	for _, k := range keys {
		r := m.Percentiles[k]
		parts = append(parts, k+" "+
			methodology.Range{Lo: r.Lo, Hi: r.Hi}.String())
	}
	return strings.Join(parts, "  ")
}
