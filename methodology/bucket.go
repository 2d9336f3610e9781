package methodology

import (
	"fmt"
	"math"
	"sort"
)

// Range is the half-open interval [Lo, Hi) of one bucket. A nil Lo means
// the bucket is open to minus infinity, a nil Hi that it is open to plus
// infinity. NA marks the n/a bucket, which has neither bound.
//
// In JSON a Range is an object with "lo" and "hi" numbers, each left out
// when nil, and the n/a bucket is {"na":true}.
type Range struct {
	Lo *float64 `json:"lo,omitempty"`
	Hi *float64 `json:"hi,omitempty"`
	NA bool     `json:"na,omitempty"`
}

// String formats r for people, like "[0.1, 0.15)", "[5, inf)" or "n/a".
func (r Range) String() string {
	if r.NA {
		return "n/a"
	}
	lo, hi := "(-inf", "inf)"
	if r.Lo != nil {
		lo = fmt.Sprintf("[%v", *r.Lo)
	}
	if r.Hi != nil {
		hi = fmt.Sprintf("%v)", *r.Hi)
	}
	return lo + ", " + hi
}

// NumBuckets returns the number of buckets of mt, the n/a bucket
// included: the length of a histogram of mt.
func (mt *Metric) NumBuckets() int {
	return mt.Buckets.numBuckets()
}

// NA returns the index of the n/a bucket, always the last one.
func (mt *Metric) NA() int {
	return mt.NumBuckets() - 1
}

func (bs *BucketSpec) numBuckets() int {
	n := len(bs.Edges) + 1
	if bs.BelowFirst {
		n++
	}
	return n
}

// Bucket returns the index of the bucket holding v. A value exactly on
// an edge goes to the bucket that starts at that edge. NaN, infinities
// and values below a first edge that is not open to minus infinity are
// errors. Errors name the metric but never the value, which is secret.
func (mt *Metric) Bucket(v float64) (int, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("bucket %s: %w", mt.Name, ErrNotFinite)
	}
	edges := mt.Buckets.Edges

	// above is the number of edges at or below v.
	above := sort.Search(len(edges), func(i int) bool {
		return edges[i] > v
	})
	if mt.Buckets.BelowFirst {
		return above, nil
	}
	if above == 0 {
		return 0, fmt.Errorf("bucket %s: %w", mt.Name, ErrBelowRange)
	}
	return above - 1, nil
}

// BucketOf is Bucket for a value that may be undefined: nil, the value
// of a metric that is n/a, goes to the n/a bucket.
func (mt *Metric) BucketOf(v *float64) (int, error) {
	if v == nil {
		return mt.NA(), nil
	}
	return mt.Bucket(*v)
}

// Range returns the range of bucket i.
func (mt *Metric) Range(i int) (Range, error) {
	if i < 0 || i >= mt.NumBuckets() {
		return Range{}, fmt.Errorf("range of %s bucket %d: %w",
			mt.Name, i, ErrBucketIndex)
	}
	if i == mt.NA() {
		return Range{NA: true}, nil
	}
	edges := mt.Buckets.Edges

	// k is the edge bucket i starts at; -1 for the bucket below all.
	k := i
	if mt.Buckets.BelowFirst {
		k--
	}
	var r Range
	if k >= 0 {
		r.Lo = ptr(edges[k])
	}
	if k+1 < len(edges) {
		r.Hi = ptr(edges[k+1])
	}
	return r, nil
}

func ptr(f float64) *float64 { return &f }
