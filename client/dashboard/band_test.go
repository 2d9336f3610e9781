package dashboard

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/server/api"
)

func f(v float64) *float64 { return &v }

// quartiles are p25 [0.2, 0.25), p50 [0.3, 0.35), p75 [0.5, 0.6) and
// p90 [0.8, 0.9): buckets with gaps between them.
var quartiles = []Percentile{
	{25, f(0.2), f(0.25)}, {50, f(0.3), f(0.35)},
	{75, f(0.5), f(0.6)}, {90, f(0.8), f(0.9)},
}

func TestBand(t *testing.T) {
	shared := []Percentile{
		{25, f(0.2), f(0.25)}, {50, f(0.3), f(0.35)},
		{75, f(0.3), f(0.35)}, {90, f(0.8), f(0.9)},
	}
	open := []Percentile{
		{25, nil, f(-2)}, {50, f(0), f(0.1)},
		{75, f(0.1), f(0.2)}, {90, f(1), nil},
	}
	tests := []struct {
		name string
		v    float64
		ps   []Percentile
		want string
	}{
		{"below p25", 0.1, quartiles, "below p25"},
		{"just below p25's lo", 0.19999, quartiles, "below p25"},
		{"at p25's lo", 0.2, quartiles, "at p25"},
		{"inside p25", 0.22, quartiles, "at p25"},
		{"at p25's hi is past it", 0.25, quartiles, "p25-p50"},
		{"between p25 and p50", 0.27, quartiles, "p25-p50"},
		{"at p50", 0.3, quartiles, "at p50"},
		{"between p50 and p75", 0.4, quartiles, "p50-p75"},
		{"at p75", 0.59, quartiles, "at p75"},
		{"between p75 and p90", 0.7, quartiles, "p75-p90"},
		{"at p90", 0.8, quartiles, "at p90"},
		{"at p90's hi", 0.9, quartiles, "above p90"},
		{"above p90", 3, quartiles, "above p90"},
		{"shared bucket", 0.31, shared, "at p50/p75"},
		{"past a shared bucket", 0.5, shared, "p75-p90"},
		{"before a shared bucket", 0.27, shared, "p25-p50"},
		{"open bottom bucket", -100, open, "at p25"},
		{"on the open bottom's hi", -2, open, "p25-p50"},
		{"open top bucket", 1e9, open, "at p90"},
		{"just under the open top", 0.999, open, "p75-p90"},
		{"huge value, closed top", math.MaxFloat64, quartiles,
			"above p90"},
		{"one percentile, below", 0, quartiles[1:2], "below p50"},
		{"one percentile, above", 1, quartiles[1:2], "above p50"},
		{"no percentiles", 1, nil, ""},
		{"out of order", 0.5, []Percentile{quartiles[1], quartiles[0]},
			"unknown: the report's percentiles are out of order"},
		{"open bottom after a closed one", 0.5, []Percentile{
			{25, f(0), f(1)}, {50, nil, f(1)}},
			"unknown: the report's percentiles are out of order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Band(tt.v, tt.ps); got != tt.want {
				t.Errorf("Band(%v, ...) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}

func TestPercentilesSorted(t *testing.T) {
	in := map[string]api.BucketRange{
		"p90": {Lo: f(0.8), Hi: f(0.9)}, "p25": {Lo: f(0.2), Hi: f(0.25)},
		"p50": {Lo: f(0.3), Hi: f(0.35)}, "p75": {Lo: f(0.5), Hi: f(0.6)},
		"median": {}, "p0": {}, "p101": {},
	}
	if diff := cmp.Diff(quartiles, percentiles(in)); diff != "" {
		t.Errorf("percentiles() mismatch (-want +got):\n%s", diff)
	}
}

func TestPercentileString(t *testing.T) {
	tests := []struct {
		p    Percentile
		want string
	}{
		{quartiles[0], "p25 [0.2, 0.25)"},
		{Percentile{90, f(5), nil}, "p90 [5, inf)"},
		{Percentile{25, nil, f(-2)}, "p25 (-inf, -2)"},
		{Percentile{50, f(1e6), f(2.5e6)}, "p50 [1000000, 2500000)"},
		{Percentile{50, f(0.01), f(0.05)}, "p50 [0.01, 0.05)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValue(t *testing.T) {
	tests := []struct {
		v    *float64
		want string
	}{
		{nil, "n/a"},
		{f(0), "0"},
		{f(0.123456789), "0.123457"},
		{f(-0.05), "-0.05"},
		{f(12345.678), "12345.7"},
		{f(2500000), "2500000"},
		{f(1e15), "1e+15"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := value(tt.v); got != tt.want {
				t.Errorf("value() = %q, want %q", got, tt.want)
			}
		})
	}
}
