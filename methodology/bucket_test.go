package methodology

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBucket(t *testing.T) {
	m := mustLoad(t)
	tests := []struct {
		metric string
		v      float64
		want   int
	}{
		{"llm_cogs_ratio", 0, 0},
		{"llm_cogs_ratio", math.Copysign(0, -1), 0},
		{"llm_cogs_ratio", 0.07, 3},
		{"llm_cogs_ratio", 0.1, 4},
		{"llm_cogs_ratio", math.Nextafter(0.1, 0), 3},
		{"llm_cogs_ratio", 5, 20},
		{"llm_cogs_ratio", 1e12, 20},
		{"contribution_margin_proxy", -1e12, 0},
		{"contribution_margin_proxy", -2, 1},
		{"contribution_margin_proxy", math.Nextafter(-2, -3), 0},
		{"contribution_margin_proxy", 0, 6},
		{"contribution_margin_proxy", 1, 18},
		{"llm_spend_usd", 0, 0},
		{"llm_spend_usd", 99.99, 0},
		{"llm_spend_usd", 100, 1},
		{"llm_spend_usd", 12345.67, 7},
		{"llm_spend_usd", 1e7, 16},
		{"mrr_growth_rate", -1, 0},
		{"mrr_growth_rate", -0.5, 1},
		{"mrr_growth_rate", 0, 7},
		{"mrr_growth_rate", 0.04, 10},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.metric, tt.v), func(t *testing.T) {
			mt, err := m.Metric(tt.metric)
			if err != nil {
				t.Fatal(err)
			}
			got, err := mt.Bucket(tt.v)
			if err != nil || got != tt.want {
				t.Errorf("Bucket(%v) = %d, %v, want %d",
					tt.v, got, err, tt.want)
			}
		})
	}
}

// TestBucketEdges checks every edge of every v1 metric: a value on an
// edge opens the bucket starting there, the value just below it falls
// in the bucket before, or is an error below the first edge.
func TestBucketEdges(t *testing.T) {
	m := mustLoad(t)
	for _, mt := range m.Metrics {
		t.Run(mt.Name, func(t *testing.T) {
			off := 0
			if mt.Buckets.BelowFirst {
				off = 1
			}
			for k, e := range mt.Buckets.Edges {
				got, err := mt.Bucket(e)
				if err != nil || got != k+off {
					t.Errorf("Bucket(%v) = %d, %v, want %d",
						e, got, err, k+off)
				}
				r, _ := mt.Range(got)
				if r.Lo == nil || *r.Lo != e {
					t.Errorf("Range(%d) = %v, want lo %v", got, r, e)
				}

				below := math.Nextafter(e, math.Inf(-1))
				got, err = mt.Bucket(below)
				if k+off == 0 {
					if !errors.Is(err, ErrBelowRange) {
						t.Errorf("Bucket(%v) error = %v, want "+
							"ErrBelowRange", below, err)
					}
					continue
				}
				if err != nil || got != k+off-1 {
					t.Errorf("Bucket(%v) = %d, %v, want %d",
						below, got, err, k+off-1)
				}
			}
		})
	}
}

// TestBucketErrors also checks that errors never carry the value, which
// is a company's secret.
func TestBucketErrors(t *testing.T) {
	m := mustLoad(t)
	tests := []struct {
		metric string
		v      float64
		want   error
	}{
		{"llm_cogs_ratio", math.NaN(), ErrNotFinite},
		{"llm_cogs_ratio", math.Inf(1), ErrNotFinite},
		{"mrr_growth_rate", math.Inf(-1), ErrNotFinite},
		{"llm_cogs_ratio", -0.123456, ErrBelowRange},
		{"llm_spend_usd", -98765.4321, ErrBelowRange},
		{"inference_cost_per_paying_customer", -1e-300, ErrBelowRange},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.metric, tt.v), func(t *testing.T) {
			mt, err := m.Metric(tt.metric)
			if err != nil {
				t.Fatal(err)
			}
			_, err = mt.Bucket(tt.v)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Bucket(%v) error = %v, want %v",
					tt.v, err, tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.metric) {
				t.Errorf("Bucket(%v) error = %q, want the metric name",
					tt.v, msg)
			}
			for _, leak := range []string{"123", "987", "e-300"} {
				if strings.Contains(msg, leak) {
					t.Errorf("Bucket(%v) error = %q leaks the value",
						tt.v, msg)
				}
			}
		})
	}
}

func TestBucketOf(t *testing.T) {
	mt, err := mustLoad(t).Metric("llm_cogs_ratio")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := mt.BucketOf(nil); err != nil || got != 21 {
		t.Errorf("BucketOf(nil) = %d, %v, want 21", got, err)
	}
	if got, err := mt.BucketOf(f64(0.3)); err != nil || got != 8 {
		t.Errorf("BucketOf(0.3) = %d, %v, want 8", got, err)
	}
	if _, err := mt.BucketOf(f64(-1)); !errors.Is(err, ErrBelowRange) {
		t.Errorf("BucketOf(-1) error = %v, want ErrBelowRange", err)
	}
}

func TestRange(t *testing.T) {
	m := mustLoad(t)
	tests := []struct {
		metric string
		i      int
		want   Range
		json   string
	}{
		{"llm_cogs_ratio", 0, Range{Lo: f64(0), Hi: f64(0.01)},
			`{"lo":0,"hi":0.01}`},
		{"llm_cogs_ratio", 20, Range{Lo: f64(5)}, `{"lo":5}`},
		{"llm_cogs_ratio", 21, Range{NA: true}, `{"na":true}`},
		{"contribution_margin_proxy", 0, Range{Hi: f64(-2)},
			`{"hi":-2}`},
		{"contribution_margin_proxy", 1, Range{Lo: f64(-2), Hi: f64(-1)},
			`{"lo":-2,"hi":-1}`},
		{"llm_spend_usd", 16, Range{Lo: f64(1e7)}, `{"lo":10000000}`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.metric, tt.i), func(t *testing.T) {
			mt, err := m.Metric(tt.metric)
			if err != nil {
				t.Fatal(err)
			}
			got, err := mt.Range(tt.i)
			if err != nil {
				t.Fatalf("Range(%d) error: %v", tt.i, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Range(%d) (-want +got):\n%s", tt.i, diff)
			}
			b, err := json.Marshal(got)
			if err != nil || string(b) != tt.json {
				t.Errorf("json.Marshal(%v) = %s, %v, want %s",
					got, b, err, tt.json)
			}
		})
	}
}

func TestRangeErrors(t *testing.T) {
	mt, err := mustLoad(t).Metric("llm_spend_usd")
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{-1, mt.NumBuckets(), 1 << 40} {
		if _, err := mt.Range(i); !errors.Is(err, ErrBucketIndex) {
			t.Errorf("Range(%d) error = %v, want ErrBucketIndex", i, err)
		}
	}
}

func TestRangeString(t *testing.T) {
	tests := []struct {
		r    Range
		want string
	}{
		{Range{Lo: f64(0.1), Hi: f64(0.15)}, "[0.1, 0.15)"},
		{Range{Lo: f64(5)}, "[5, inf)"},
		{Range{Hi: f64(-2)}, "(-inf, -2)"},
		{Range{NA: true}, "n/a"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.r.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}
