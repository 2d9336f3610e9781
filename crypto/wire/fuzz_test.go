package wire

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParser checks that parsing arbitrary input never panics, and that
// whatever parses encodes back to exactly the input: the encoding is
// canonical, so one message has one byte form.
func FuzzParser(f *testing.F) {
	f.Add(build(message{B: []byte("x"), S: "s", N: 7,
		L: [][]byte{{1}, {2, 3}}}))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		orig := bytes.Clone(in)
		m, err := parse(in)
		if !bytes.Equal(in, orig) {
			t.Fatalf("parse modified its input")
		}
		if err != nil {
			return
		}
		if diff := cmp.Diff(in, build(m)); diff != "" {
			t.Errorf("build(parse(in)) != in (-in +got):\n%s", diff)
		}
	})
}
