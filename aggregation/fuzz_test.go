package aggregation_test

import (
	"bytes"
	"testing"

	"github.com/infermargin/infermargin/aggregation"
)

// FuzzParseReport checks that any bytes either fail to parse or parse
// into a report that encodes back to the same bytes.
func FuzzParseReport(f *testing.F) {
	w := newWorld(f)
	c := w.enroll(f, "acme")
	r := must(c.NewReport(batch("fuzz@1"), []uint64{1, 2, 3, 4, 5}))
	good := must(r.MarshalBinary())
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := aggregation.ParseReport(in)
		if err != nil {
			return
		}
		out, err := r.MarshalBinary()
		if err != nil || !bytes.Equal(in, out) {
			t.Fatalf("ParseReport round trip changed %d bytes", len(in))
		}
	})
}

// FuzzParseStatement does the same for statements.
func FuzzParseStatement(f *testing.F) {
	w := newWorld(f)
	b := distinctBatchF(f, w)
	c := must(w.leader().Collect(contextBG, b, aggregation.Private,
		w.helper()))
	for _, r := range c.Releases {
		f.Add(must(r.Statement.MarshalBinary()))
	}
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := aggregation.ParseStatement(in)
		if err != nil {
			return
		}
		out, err := s.MarshalBinary()
		if err != nil || !bytes.Equal(in, out) {
			t.Fatalf("ParseStatement round trip changed %d bytes", len(in))
		}
	})
}
