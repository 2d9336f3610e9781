// Package dashboard sets a company's own metrics of a month beside its
// cohorts' private-tier results: per metric, its value, the published
// percentile buckets, the band it falls in (see Band) and a small
// terminal chart.
//
// The company's values are read from the file the collector keeps on
// the machine (collect.Config.ReadLocal) and never sent: Fetch's
// requests carry the company id, the time, the signature and the
// period, nothing else. The comparison happens here, after the fetch.
//
// The package does not check the aggregators' statements behind a
// report (the auditor's tools do) and shows only what a report
// publishes: bucket ranges and n, never a count per bucket.
package dashboard

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"time"

	"github.com/infermargin/infermargin/client/collect"
	"github.com/infermargin/infermargin/client/enroll"
	"github.com/infermargin/infermargin/client/metrics"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
)

// View is the dashboard of one month.
type View struct {
	Period  string `json:"period"`
	Company string `json:"company"`
	// Computed says under which methodology and when the company's
	// metrics were computed.
	Computed   collect.MethodologyRef `json:"computed_under"`
	ComputedAt time.Time              `json:"computed_at"`
	// Cohorts are the private-tier reports of the month, one per
	// cohort version the company is a member of; none yet is fine.
	Cohorts []Cohort `json:"cohorts"`
}

// Cohort is one cohort's report set against the company's metrics.
type Cohort struct {
	Report      string          `json:"report"`
	Cohort      string          `json:"cohort"`
	Tier        string          `json:"tier"`
	Methodology api.Methodology `json:"methodology"`
	Count       uint64          `json:"count"`
	// Note says why values are not compared or charted, if so.
	Note    string   `json:"note,omitempty"`
	Metrics []Metric `json:"metrics"`
}

// Metric is one metric of a report beside the company's value.
type Metric struct {
	Name string `json:"name"`
	Unit string `json:"unit,omitempty"`
	// Value is the company's, nil when n/a or not computed.
	Value       *float64     `json:"value"`
	N           *uint64      `json:"n,omitempty"`
	Percentiles []Percentile `json:"percentiles,omitempty"`
	Suppressed  bool         `json:"suppressed,omitempty"`
	Reason      string       `json:"reason,omitempty"`
	// Band is where Value falls (see Band), or why it has none:
	// "n/a", "suppressed", "not computed" or "not compared".
	Band string `json:"band"`

	mt *methodology.Metric // for the chart; nil without one
}

// Build sets the kept metrics l of company against the reports rs.
func Build(company string, l *collect.Local, rs []*api.Report) *View {
	v := &View{Period: l.Period, Company: company,
		Computed: l.Methodology, ComputedAt: l.ComputedAt,
		Cohorts: []Cohort{}}
	for _, r := range rs {
		v.Cohorts = append(v.Cohorts, cohort(l, r))
	}
	return v
}

func cohort(l *collect.Local, r *api.Report) Cohort {
	c := Cohort{Report: r.ID, Cohort: r.Cohort, Tier: r.Tier,
		Methodology: r.Methodology, Count: r.Count}
	m, err := methodology.Load(r.Methodology.Version)
	if err != nil || m.Digest() != r.Methodology.Digest {
		m = nil
		c.Note = fmt.Sprintf("methodology %s of this report is not "+
			"the one this build knows; no chart", r.Methodology.Version)
	}
	same := l.Methodology.Digest == r.Methodology.Digest
	if !same {
		c.Note = fmt.Sprintf("your metrics were computed under "+
			"methodology %s, this report under %s; not compared",
			l.Methodology.Version, r.Methodology.Version)
	}
	for _, rm := range r.Metrics {
		c.Metrics = append(c.Metrics, metric(l, m, rm, same))
	}
	return c
}

func metric(l *collect.Local, m *methodology.Methodology,
	rm api.ReportMetric, compare bool) Metric {
	out := Metric{Name: rm.Name, N: rm.N,
		Percentiles: percentiles(rm.Percentiles),
		Suppressed:  rm.Suppressed, Reason: rm.Reason}
	if m != nil {
		if i := slices.IndexFunc(m.Metrics, func(mt methodology.Metric) bool {
			return mt.Name == rm.Name
		}); i >= 0 {
			out.mt = &m.Metrics[i]
			out.Unit = out.mt.Unit
		}
	}
	lv, kept := l.Metrics[rm.Name]
	out.Value = lv.Value
	switch {
	case !kept:
		out.Band = "not computed"
	case !compare:
		out.Band = "not compared"
	case lv.Value == nil:
		out.Band = "n/a"
	case rm.Suppressed:
		out.Band = "suppressed"
	default:
		out.Band = Band(*lv.Value, out.Percentiles)
	}
	return out
}

// Fetch reads, from n with requests signed by the company, the
// private-tier reports of period: the list, then each report of the
// period in it, sorted by cohort.
func Fetch(ctx context.Context, n *enroll.Node, period string) (
	[]*api.Report, error) {
	if _, err := metrics.ParsePeriod(period); err != nil {
		return nil, err
	}
	var list api.Reports
	q := "/v1/private/reports?period=" + url.QueryEscape(period)
	if err := n.Get(ctx, q, &list); err != nil {
		return nil, fmt.Errorf("private reports of %s: %w", period, err)
	}
	var out []*api.Report
	for _, s := range list.Reports {
		if s.Period != period {
			continue
		}
		r := new(api.Report)
		p := "/v1/private/reports/" + url.PathEscape(s.ID)
		if err := n.Get(ctx, p, r); err != nil {
			return nil, fmt.Errorf("private report %s: %w", s.ID, err)
		}
		if r.ID != s.ID || r.Period != period {
			return nil, fmt.Errorf("private report %s: the node "+
				"answered with another report", s.ID)
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *api.Report) int {
		return cmp.Or(cmp.Compare(a.Cohort, b.Cohort),
			cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// WriteJSON writes v as indented JSON.
func (v *View) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(v)
}
