package dashboard

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/infermargin/infermargin/server/api"
)

// Percentile is one published percentile: its point, like 50, and the
// bucket it falls in, [Lo, Hi), nil for an open end. A percentile is a
// bucket, not a number: the cohort's histogram says no more.
type Percentile struct {
	P  int      `json:"p"`
	Lo *float64 `json:"lo"`
	Hi *float64 `json:"hi"`
}

// Name is "p50" for the point 50.
func (p Percentile) Name() string { return "p" + strconv.Itoa(p.P) }

// String is the name and the bucket, like "p50 [0.3, 0.35)".
func (p Percentile) String() string {
	return p.Name() + " " + rangeString(p.Lo, p.Hi)
}

// holds reports whether v is in p's bucket.
func (p Percentile) holds(v float64) bool {
	return !p.above(v) && !p.below(v)
}

// below reports whether v lies below p's bucket: v < lo.
func (p Percentile) below(v float64) bool { return p.Lo != nil && v < *p.Lo }

// above reports whether v lies at or past p's bucket's end: v >= hi.
func (p Percentile) above(v float64) bool { return p.Hi != nil && v >= *p.Hi }

// percentiles reads a report metric's percentiles, by point. A key
// that is not pNN is skipped: it is not ours to show.
func percentiles(m map[string]api.BucketRange) []Percentile {
	var out []Percentile
	for k, r := range m {
		n, err := strconv.Atoi(strings.TrimPrefix(k, "p"))
		if !strings.HasPrefix(k, "p") || err != nil || n < 1 || n > 100 {
			continue
		}
		out = append(out, Percentile{P: n, Lo: r.Lo, Hi: r.Hi})
	}
	slices.SortFunc(out, func(a, b Percentile) int {
		return cmp.Compare(a.P, b.P)
	})
	return out
}

// ordered reports whether the buckets of ps, sorted by point, never go
// down, as the percentiles of one histogram cannot.
func ordered(ps []Percentile) bool {
	for i := 1; i < len(ps); i++ {
		a, b := ps[i-1], ps[i]
		if loLess(b.Lo, a.Lo) || hiLess(b.Hi, a.Hi) {
			return false
		}
	}
	return true
}

// loLess reports whether lower bound a is below b, nil being minus
// infinity.
func loLess(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b != nil
	}
	return *a < *b
}

// hiLess reports whether upper bound a is below b, nil being plus
// infinity.
func hiLess(a, b *float64) bool {
	if a == nil || b == nil {
		return a != nil && b == nil
	}
	return *a < *b
}

// Band names where the value v lies among the percentiles ps, sorted
// by point. The rule, since each percentile is a bucket [lo, hi):
//
//   - v is "at pXX" when lo <= v < hi for pXX's bucket. When several
//     percentiles share that bucket they are all named, "at p50/p75".
//   - Otherwise v lies strictly between buckets, and is "below p25"
//     when under the first one, "above p90" when at or past the end of
//     the last one, else "pA-pB" for the two it lies between.
//
// Buckets do not overlap and percentiles never go down, so the
// percentiles v is past always come first. Band returns "" without
// percentiles, and says so when the buckets are out of order, as no
// honest report's can be.
func Band(v float64, ps []Percentile) string {
	if len(ps) == 0 {
		return ""
	}
	if !ordered(ps) {
		return "unknown: the report's percentiles are out of order"
	}
	var at []string
	past := 0
	for _, p := range ps {
		switch {
		case p.holds(v):
			at = append(at, p.Name())
		case p.above(v):
			past++
		}
	}
	switch {
	case len(at) > 0:
		return "at " + strings.Join(at, "/")
	case past == 0:
		return "below " + ps[0].Name()
	case past == len(ps):
		return "above " + ps[len(ps)-1].Name()
	}
	return ps[past-1].Name() + "-" + ps[past].Name()
}

// rangeString formats [lo, hi) like methodology.Range does.
func rangeString(lo, hi *float64) string {
	l, h := "(-inf", "inf)"
	if lo != nil {
		l = "[" + num(*lo)
	}
	if hi != nil {
		h = num(*hi) + ")"
	}
	return l + ", " + h
}

// num formats an edge as written in the methodology: exactly, without
// an exponent up to 1e12.
func num(v float64) string {
	if math.Abs(v) >= 1e12 {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// value formats the company's value to six significant digits.
func value(v *float64) string {
	if v == nil {
		return "n/a"
	}
	x := *v
	if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return num(x)
	}
	d := math.Ceil(math.Log10(math.Abs(x)))
	p := math.Pow(10, 6-d)
	if r := math.Round(x*p) / p; !math.IsInf(r, 0) && !math.IsNaN(r) {
		x = r
	}
	return num(x)
}
