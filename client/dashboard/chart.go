package dashboard

import (
	"strconv"
	"strings"

	"github.com/infermargin/infermargin/methodology"
)

// chartWidth is the most columns a chart's bucket row takes.
const chartWidth = 72

// The glyphs of a bucket: outside the percentiles, between the first
// and the second-to-last percentile (p25 to p75), and up to the last
// (p90).
const (
	glyphOut   = "·"
	glyphInner = "█"
	glyphOuter = "▒"
)

// Chart draws m on a few lines: one cell per bucket of the metric,
// shaded from the first percentile's bucket to the last one's, the
// percentile points under their buckets, the company's bucket marked
// "▲ you", and the ends of the axis. It returns nil when there is
// nothing to draw: no methodology metric, no percentiles, or a
// percentile that is not one of the metric's buckets.
func (m *Metric) Chart() []string {
	if m.mt == nil || len(m.Percentiles) == 0 {
		return nil
	}
	nb := m.mt.NA()
	idx := make([]int, len(m.Percentiles))
	for i, p := range m.Percentiles {
		idx[i] = bucketIndex(m.mt, p)
		if idx[i] < 0 {
			return nil
		}
	}
	cell := min(max(chartWidth/nb, 1), 3)
	lines := []string{bar(nb, cell, idx), marks(m.Percentiles, idx, cell)}
	if you := m.you(); you >= 0 {
		lines = append(lines, strings.Repeat(" ", you*cell+cell/2)+
			"▲ you")
	}
	return append(lines, axis(m.mt, nb*cell))
}

// you returns the index of the company's bucket, or -1 when its value
// is not placed: n/a, not computed or not compared.
func (m *Metric) you() int {
	if m.Value == nil || strings.HasPrefix(m.Band, "not ") ||
		m.Band == "n/a" {
		return -1
	}
	i, err := m.mt.Bucket(*m.Value)
	if err != nil {
		return -1
	}
	return i
}

// bucketIndex returns the index of the bucket of mt that p's range is,
// or -1.
func bucketIndex(mt *methodology.Metric, p Percentile) int {
	for i := range mt.NA() {
		r, err := mt.Range(i)
		if err == nil && same(r.Lo, p.Lo) && same(r.Hi, p.Hi) {
			return i
		}
	}
	return -1
}

func same(a, b *float64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// bar is the row of cells, shaded by where each bucket lies.
func bar(nb, cell int, idx []int) string {
	first, last := idx[0], idx[len(idx)-1]
	inner := idx[max(len(idx)-2, 0)]
	pad := strings.Repeat(" ", (cell-1)/2)
	var b strings.Builder
	for i := range nb {
		switch {
		case i < first || i > last:
			b.WriteString(pad + glyphOut +
				strings.Repeat(" ", cell-1-len(pad)))
		case i <= inner:
			b.WriteString(strings.Repeat(glyphInner, cell))
		default:
			b.WriteString(strings.Repeat(glyphOuter, cell))
		}
	}
	return b.String()
}

// marks writes each percentile's point under its bucket, those that
// share a bucket together ("50/75"), moved right when the previous
// label would be overwritten.
func marks(ps []Percentile, idx []int, cell int) string {
	var b strings.Builder
	col := 0
	for i := 0; i < len(ps); {
		j := i + 1
		for j < len(ps) && idx[j] == idx[i] {
			j++
		}
		var pts []string
		for _, p := range ps[i:j] {
			pts = append(pts, strconv.Itoa(p.P))
		}
		start := max(idx[i]*cell, col)
		b.WriteString(strings.Repeat(" ", start-col))
		label := strings.Join(pts, "/")
		b.WriteString(label)
		col = start + len(label) + 1
		b.WriteString(" ")
		i = j
	}
	return strings.TrimRight(b.String(), " ")
}

// axis writes the low end of the first bucket at the left and the
// high end of the last at the right of width columns.
func axis(mt *methodology.Metric, width int) string {
	lo, _ := mt.Range(0)
	hi, _ := mt.Range(mt.NA() - 1)
	left := "<" + num(deref(lo.Hi))
	if lo.Lo != nil {
		left = num(*lo.Lo)
	}
	right := "≥" + num(deref(hi.Lo))
	if hi.Hi != nil {
		right = "<" + num(*hi.Hi)
	}
	gap := max(width-len(left)-runes(right), 1)
	return left + strings.Repeat(" ", gap) + right
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func runes(s string) int { return len([]rune(s)) }
