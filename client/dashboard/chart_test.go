package dashboard

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/methodology"
)

// metricOf returns metric name of methodology v1 with the percentiles
// ps, the company's value v and its band.
func metricOf(t *testing.T, name string, v *float64,
	ps []Percentile) *Metric {
	t.Helper()
	m, err := methodology.Load("v1")
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Metrics {
		if m.Metrics[i].Name == name {
			out := &Metric{Name: name, Value: v, Percentiles: ps,
				mt: &m.Metrics[i], Band: "n/a"}
			if v != nil {
				out.Band = Band(*v, ps)
			}
			return out
		}
	}
	t.Fatalf("v1 has no metric %s", name)
	return nil
}

// TestChart checks charts line by line. llm_cogs_ratio has 21 buckets,
// [0, 0.01) to [5, inf), three columns each; contribution_margin_proxy
// has 19, the first (-inf, -2).
func TestChart(t *testing.T) {
	tests := []struct {
		name   string
		metric string
		v      *float64
		ps     []Percentile
		want   []string
	}{
		{"value between p50 and p75", "llm_cogs_ratio", f(0.42),
			quartiles, []string{
				" ·  ·  ·  ·  ·  · ██████████████████▒▒▒▒▒▒▒▒▒ ·  ·  ·  ·  ·  · ",
				"                  25    50       75       90",
				"                               ▲ you",
				"0                                                            ≥5",
			}},
		{"value in the open top bucket", "llm_cogs_ratio", f(7),
			quartiles, []string{
				" ·  ·  ·  ·  ·  · ██████████████████▒▒▒▒▒▒▒▒▒ ·  ·  ·  ·  ·  · ",
				"                  25    50       75       90",
				"                                                             ▲ you",
				"0                                                            ≥5",
			}},
		{"n/a value has no marker", "llm_cogs_ratio", nil, quartiles,
			[]string{
				" ·  ·  ·  ·  ·  · ██████████████████▒▒▒▒▒▒▒▒▒ ·  ·  ·  ·  ·  · ",
				"                  25    50       75       90",
				"0                                                            ≥5",
			}},
		{"open ends and a shared bucket", "contribution_margin_proxy",
			f(-5), []Percentile{{25, nil, f(-2)}, {50, f(0.1), f(0.2)},
				{75, f(0.1), f(0.2)}, {90, f(1), nil}}, []string{
				"████████████████████████▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒",
				"25                   50/75                            90",
				" ▲ you",
				"<-2                                                    ≥1",
			}},
		{"adjacent labels move right", "llm_cogs_ratio", f(0.011),
			[]Percentile{{25, f(0), f(0.01)}, {50, f(0.01), f(0.02)},
				{75, f(0.01), f(0.02)}, {90, f(0.02), f(0.05)}},
			[]string{
				"██████▒▒▒ ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  · ",
				"25 50/75 90",
				"    ▲ you",
				"0                                                            ≥5",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := metricOf(t, tt.metric, tt.v, tt.ps)
			if diff := cmp.Diff(tt.want, m.Chart()); diff != "" {
				t.Errorf("Chart() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChartNone(t *testing.T) {
	tests := []struct {
		name string
		m    *Metric
	}{
		{"no methodology", &Metric{Name: "x", Percentiles: quartiles}},
		{"no percentiles", metricOf(t, "llm_cogs_ratio", f(1), nil)},
		{"not a bucket of the metric", metricOf(t, "llm_cogs_ratio",
			f(1), []Percentile{{50, f(0.2), f(0.3)}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.Chart(); got != nil {
				t.Errorf("Chart() = %q, want nil", got)
			}
		})
	}
}

// TestChartNotCompared checks that a value of another methodology is
// not marked.
func TestChartNotCompared(t *testing.T) {
	m := metricOf(t, "llm_cogs_ratio", f(0.42), quartiles)
	m.Band = "not compared"
	for _, l := range m.Chart() {
		if strings.Contains(l, "you") {
			t.Errorf("Chart() marks a value not compared: %q", l)
		}
	}
}
