package methodology

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParse checks that Parse never panics, fails only with ErrInvalid,
// and that whatever it accepts survives a canonical round trip with the
// same digest and can be bucketed and summarized. Seeds are v1.json and
// broken variants of it in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add(v1File(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse() error = %v, want ErrInvalid", err)
			}
			return
		}

		c := m.Canonical()
		m2, err := Parse(c)
		if err != nil {
			t.Fatalf("Parse(Canonical()) error: %v", err)
		}
		if got, want := m2.Digest(), m.Digest(); got != want {
			t.Fatalf("Parse(Canonical()).Digest() = %s, want %s",
				got, want)
		}
		if got := m2.Canonical(); !bytes.Equal(got, c) {
			t.Fatalf("Parse(Canonical()).Canonical() = %s, want %s",
				got, c)
		}

		for i := range m.Metrics {
			exercise(t, m, &m.Metrics[i])
		}
	})
}

// exercise buckets every edge of mt and takes the percentiles of a
// histogram with one report per bucket.
func exercise(t *testing.T, m *Methodology, mt *Metric) {
	hist := make([]uint64, mt.NumBuckets())
	for _, e := range mt.Buckets.Edges {
		i, err := mt.Bucket(e)
		if err != nil {
			t.Fatalf("%s.Bucket(edge) error: %v", mt.Name, err)
		}
		r, err := mt.Range(i)
		if err != nil || r.Lo == nil || *r.Lo != e {
			t.Fatalf("%s.Range(%d) = %v, %v, want lo %v",
				mt.Name, i, r, err, e)
		}
		hist[i]++
	}
	hist[mt.NA()] = 3

	ps, n, err := m.Percentiles(mt, hist)
	if err != nil || n != uint64(len(mt.Buckets.Edges)) {
		t.Fatalf("%s: Percentiles(%v) = %d, %v, want n = %d",
			mt.Name, hist, n, err, len(mt.Buckets.Edges))
	}
	if len(ps) != len(m.PercentileRule.Points) {
		t.Fatalf("%s: Percentiles(%v) gave %d, want %d", mt.Name, hist,
			len(ps), len(m.PercentileRule.Points))
	}
}
