package methodology

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// small has buckets [0,10) [10,20) [20,30) [30,inf) and n/a, so known
// answers can be worked out by hand.
var small = &Metric{
	Name:    "small",
	Buckets: BucketSpec{Edges: []float64{0, 10, 20, 30}},
}

// signed has buckets (-inf,-1) [-1,0) [0,1) [1,inf) and n/a.
var signed = &Metric{
	Name:    "signed",
	Buckets: BucketSpec{Edges: []float64{-1, 0, 1}, BelowFirst: true},
}

func pc(p, bucket int, lo, hi *float64) Percentile {
	return Percentile{P: p, Bucket: bucket, Range: Range{Lo: lo, Hi: hi}}
}

func TestPercentile(t *testing.T) {
	tests := []struct {
		name string
		mt   *Metric
		hist []uint64
		p    int
		want Percentile
	}{
		// n = 1: every point is the one report.
		{"n=1 p25", small, []uint64{0, 1, 0, 0, 0}, 25,
			pc(25, 1, f64(10), f64(20))},
		{"n=1 p90", small, []uint64{0, 1, 0, 0, 0}, 90,
			pc(90, 1, f64(10), f64(20))},
		// n = 4: r = 1, 2, 3, 4 for p25, p50, p75, p90.
		{"n=4 p25", small, []uint64{1, 1, 1, 1, 0}, 25,
			pc(25, 0, f64(0), f64(10))},
		{"n=4 p50", small, []uint64{1, 1, 1, 1, 0}, 50,
			pc(50, 1, f64(10), f64(20))},
		{"n=4 p75", small, []uint64{1, 1, 1, 1, 0}, 75,
			pc(75, 2, f64(20), f64(30))},
		{"n=4 p90 open top", small, []uint64{1, 1, 1, 1, 0}, 90,
			pc(90, 3, f64(30), nil)},
		// r = p*n/100 exactly: the bucket reaching r, not the next.
		{"exact rank p25", small, []uint64{25, 75, 0, 0, 0}, 25,
			pc(25, 0, f64(0), f64(10))},
		{"exact rank p50", small, []uint64{2, 2, 0, 0, 0}, 50,
			pc(50, 0, f64(0), f64(10))},
		{"rank above p50", small, []uint64{2, 3, 0, 0, 0}, 50,
			pc(50, 1, f64(10), f64(20))},
		// n = 30 (public threshold): r = 8, 15, 23, 27.
		{"n=30 p25", small, []uint64{10, 10, 5, 5, 7}, 25,
			pc(25, 0, f64(0), f64(10))},
		{"n=30 p50", small, []uint64{10, 10, 5, 5, 7}, 50,
			pc(50, 1, f64(10), f64(20))},
		{"n=30 p75", small, []uint64{10, 10, 5, 5, 7}, 75,
			pc(75, 2, f64(20), f64(30))},
		{"n=30 p90", small, []uint64{10, 10, 5, 5, 7}, 90,
			pc(90, 3, f64(30), nil)},
		// n = 10 (private threshold): r = 3, 5, 8, 9.
		{"n=10 p25", small, []uint64{0, 3, 4, 3, 2}, 25,
			pc(25, 1, f64(10), f64(20))},
		{"n=10 p50", small, []uint64{0, 3, 4, 3, 2}, 50,
			pc(50, 2, f64(20), f64(30))},
		{"n=10 p75", small, []uint64{0, 3, 4, 3, 2}, 75,
			pc(75, 3, f64(30), nil)},
		// A large n/a bucket stays out of n = 3: r = 1, 2, 3, 3.
		{"large n/a p25", small, []uint64{1, 0, 2, 0, 1000}, 25,
			pc(25, 0, f64(0), f64(10))},
		{"large n/a p50", small, []uint64{1, 0, 2, 0, 1000}, 50,
			pc(50, 2, f64(20), f64(30))},
		{"large n/a p90", small, []uint64{1, 0, 2, 0, 1000}, 90,
			pc(90, 2, f64(20), f64(30))},
		// Bottom bucket open to -inf has no lo.
		{"-inf bottom", signed, []uint64{3, 0, 0, 1, 9}, 25,
			pc(25, 0, nil, f64(-1))},
		{"-inf bottom p90", signed, []uint64{3, 0, 0, 1, 9}, 90,
			pc(90, 3, f64(1), nil)},
		{"p100", small, []uint64{1, 1, 0, 1, 0}, 100,
			pc(100, 3, f64(30), nil)},
		{"huge n", small, []uint64{math.MaxUint64, 0, 0, 0, 5}, 90,
			pc(90, 0, f64(0), f64(10))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.mt.Percentile(tt.hist, tt.p)
			if err != nil {
				t.Fatalf("Percentile(%v, %d) error: %v", tt.hist, tt.p, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Percentile(%v, %d) (-want +got):\n%s",
					tt.hist, tt.p, diff)
			}
		})
	}
}

// TestPercentileOnEdges buckets values that sit exactly on edges and
// checks the median lands in the bucket starting at that edge.
func TestPercentileOnEdges(t *testing.T) {
	hist := make([]uint64, small.NumBuckets())
	for _, v := range []float64{0, 10, 10, 20} {
		i, err := small.Bucket(v)
		if err != nil {
			t.Fatal(err)
		}
		hist[i]++
	}
	got, err := small.Percentile(hist, 50)
	want := pc(50, 1, f64(10), f64(20))
	if err != nil {
		t.Fatalf("Percentile(%v, 50) error: %v", hist, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Percentile(%v, 50) (-want +got):\n%s", hist, diff)
	}
}

func TestPercentileErrors(t *testing.T) {
	max := uint64(math.MaxUint64)
	tests := []struct {
		name string
		hist []uint64
		p    int
		want error
	}{
		{"all n/a", []uint64{0, 0, 0, 0, 7}, 50, ErrNoDefinedValues},
		{"empty", []uint64{0, 0, 0, 0, 0}, 50, ErrNoDefinedValues},
		{"short", []uint64{1, 1, 1, 1}, 50, ErrHistogram},
		{"long", []uint64{1, 1, 1, 1, 1, 1}, 50, ErrHistogram},
		{"nil", nil, 50, ErrHistogram},
		{"overflow", []uint64{max, 1, 0, 0, 0}, 50, ErrHistogram},
		{"p0", []uint64{1, 1, 1, 1, 1}, 0, ErrPoint},
		{"p101", []uint64{1, 1, 1, 1, 1}, 101, ErrPoint},
		{"p-1", []uint64{1, 1, 1, 1, 1}, -1, ErrPoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := small.Percentile(tt.hist, tt.p)
			if !errors.Is(err, tt.want) {
				t.Errorf("Percentile(%v, %d) error = %v, want %v",
					tt.hist, tt.p, err, tt.want)
			}
		})
	}
}

func TestPercentiles(t *testing.T) {
	m := mustLoad(t)
	mt, err := m.Metric("llm_cogs_ratio")
	if err != nil {
		t.Fatal(err)
	}

	// 30 defined reports and 4 n/a: r = 8, 15, 23, 27.
	hist := make([]uint64, mt.NumBuckets())
	hist[2], hist[4], hist[7], hist[16] = 5, 10, 10, 5
	hist[mt.NA()] = 4
	got, n, err := m.Percentiles(mt, hist)
	if err != nil {
		t.Fatalf("Percentiles(cogs, %v) error: %v", hist, err)
	}
	want := []Percentile{
		pc(25, 4, f64(0.1), f64(0.15)),
		pc(50, 4, f64(0.1), f64(0.15)),
		pc(75, 7, f64(0.25), f64(0.3)),
		pc(90, 16, f64(1), f64(1.5)),
	}
	if n != 30 {
		t.Errorf("Percentiles(cogs, %v) n = %d, want 30", hist, n)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Percentiles(cogs, %v) (-want +got):\n%s", hist, diff)
	}
}

func TestPercentilesNoDefinedValues(t *testing.T) {
	m := mustLoad(t)
	mt, err := m.Metric("mrr_growth_rate")
	if err != nil {
		t.Fatal(err)
	}
	hist := make([]uint64, mt.NumBuckets())
	hist[mt.NA()] = 40

	got, n, err := m.Percentiles(mt, hist)
	if !errors.Is(err, ErrNoDefinedValues) || got != nil || n != 0 {
		t.Errorf("Percentiles(mrr, all n/a) = %v, %d, %v, "+
			"want nil, 0, ErrNoDefinedValues", got, n, err)
	}
}

// TestRank checks the integer rank against exact rational arithmetic,
// including n where p*n overflows 64 bits.
func TestRank(t *testing.T) {
	ns := []uint64{1, 3, 10, 30, 99, 100, 101, 12345,
		math.MaxUint64 / 100, math.MaxUint64 - 1, math.MaxUint64}
	for _, n := range ns {
		for _, p := range []uint64{1, 25, 50, 75, 90, 99, 100} {
			t.Run(fmt.Sprintf("p%d/n%d", p, n), func(t *testing.T) {
				want := new(big.Int).SetUint64(n)
				want.Mul(want, new(big.Int).SetUint64(p))
				want.Add(want, big.NewInt(99))
				want.Div(want, big.NewInt(100))
				if got := rank(p, n); got != want.Uint64() {
					t.Errorf("rank(%d, %d) = %d, want %v", p, n, got, want)
				}
			})
		}
	}
}
