package methodology

import (
	"fmt"
)

// Percentile is one published percentile: the point P (25 for p25), the
// index of the bucket it falls in and that bucket's range.
type Percentile struct {
	P      int   `json:"p"`
	Bucket int   `json:"bucket"`
	Range  Range `json:"range"`
}

// Percentiles applies the percentile rule of m to a histogram of mt at
// every point of m, in order. It also returns n, the number of reports
// with a defined value, which the thresholds apply to. When n is 0 it
// returns ErrNoDefinedValues. It does not check thresholds.
func (m *Methodology) Percentiles(mt *Metric, hist []uint64) (
	[]Percentile, uint64, error) {
	n, err := mt.defined(hist)
	if err != nil {
		return nil, 0, err
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("percentiles of %s: %w",
			mt.Name, ErrNoDefinedValues)
	}

	ps := make([]Percentile, 0, len(m.PercentileRule.Points))
	for _, p := range m.PercentileRule.Points {
		pc, err := mt.Percentile(hist, p)
		if err != nil {
			return nil, 0, err
		}
		ps = append(ps, pc)
	}
	return ps, n, nil
}

// Percentile returns the p-th percentile of a histogram of mt by the
// nearest-rank rule over the defined buckets: with n the count outside
// the n/a bucket and r = ceil(p*n/100), it is the first bucket whose
// cumulative count reaches r. The histogram must have NumBuckets counts
// and p must be in 1..100. When n is 0 it returns ErrNoDefinedValues.
func (mt *Metric) Percentile(hist []uint64, p int) (Percentile, error) {
	if p < 1 || p > 100 {
		return Percentile{}, fmt.Errorf("percentile %d of %s: %w",
			p, mt.Name, ErrPoint)
	}
	n, err := mt.defined(hist)
	if err != nil {
		return Percentile{}, err
	}
	if n == 0 {
		return Percentile{}, fmt.Errorf("percentile %d of %s: %w",
			p, mt.Name, ErrNoDefinedValues)
	}

	r := rank(uint64(p), n)
	var cum uint64
	i := 0
	for ; i < mt.NA(); i++ {
		cum += hist[i]
		if cum >= r {
			break
		}
	}

	rg, err := mt.Range(i)
	if err != nil {
		return Percentile{}, err
	}
	return Percentile{P: p, Bucket: i, Range: rg}, nil
}

// rank returns ceil(p*n/100) for p <= 100, that is (p*n + 99) / 100,
// without overflow: with n = 100a + b, p*n/100 = a*p + b*p/100.
func rank(p, n uint64) uint64 {
	a, b := n/100, n%100
	return a*p + (b*p+99)/100
}

// defined checks the histogram's length and returns the number of
// reports outside the n/a bucket.
func (mt *Metric) defined(hist []uint64) (uint64, error) {
	if len(hist) != mt.NumBuckets() {
		return 0, fmt.Errorf("histogram of %s: %d counts, want %d: %w",
			mt.Name, len(hist), mt.NumBuckets(), ErrHistogram)
	}
	var n uint64
	for _, c := range hist[:mt.NA()] {
		if n+c < n {
			return 0, fmt.Errorf("histogram of %s: count overflow: %w",
				mt.Name, ErrHistogram)
		}
		n += c
	}
	return n, nil
}
