package wire

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// message is one of every field kind, in a fixed order, for round trips.
type message struct {
	B []byte
	S string
	N uint64
	L [][]byte
}

func build(m message) []byte {
	var b Builder
	b.AddBytes(m.B)
	b.AddString(m.S)
	b.AddUint64(m.N)
	b.AddBytesList(m.L)
	return b.Bytes()
}

func parse(in []byte) (message, error) {
	var m message
	p := NewParser(in)
	m.B, _ = p.Bytes()
	m.S, _ = p.String()
	m.N, _ = p.Uint64()
	m.L, _ = p.BytesList()
	return m, p.Done()
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		m    message
	}{
		{"empty", message{B: []byte{}, L: [][]byte{}}},
		{"small", message{
			B: []byte{1, 2, 3},
			S: "2026-01",
			N: 42,
			L: [][]byte{{0xff}, {}, []byte("share")},
		}},
		{"max uint64", message{
			B: []byte{0}, S: "\xff\x00", N: ^uint64(0),
			L: [][]byte{},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(build(tt.m))
			if err != nil {
				t.Fatalf("parse(build(m)) error: %v", err)
			}
			if diff := cmp.Diff(tt.m, got); diff != "" {
				t.Errorf("parse(build(m)) mismatch (-want +got):\n%s",
					diff)
			}
		})
	}
}

// TestKnownAnswer pins the encoding, which signatures and ciphertexts
// depend on: changing it invalidates every stored report.
func TestKnownAnswer(t *testing.T) {
	m := message{
		B: []byte{0xaa, 0xbb},
		S: "v1",
		N: 258,
		L: [][]byte{{0x01}, {}},
	}
	const want = "00000002aabb" + "000000027631" +
		"0000000000000102" +
		"00000002" + "0000000101" + "00000000"
	if got := hex.EncodeToString(build(m)); got != want {
		t.Errorf("build(m) = %s, want %s", got, want)
	}
}

func TestNilListEncodesAsEmpty(t *testing.T) {
	var a, b Builder
	a.AddBytesList(nil)
	b.AddBytesList([][]byte{})
	if diff := cmp.Diff(a.Bytes(), b.Bytes()); diff != "" {
		t.Errorf("nil and empty list differ (-nil +empty):\n%s", diff)
	}
}

func TestBytesDoesNotAlias(t *testing.T) {
	var b Builder
	b.AddString("ab")
	first := b.Bytes()
	first[4] = 'x'
	b.AddString("c")
	want := "00000002616200000001" + "63"
	if got := hex.EncodeToString(b.Bytes()); got != want {
		t.Errorf("Bytes after edit of earlier result = %s, want %s",
			got, want)
	}

	in := []byte{0, 0, 0, 1, 'z'}
	v, err := NewParser(in).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	v[0] = 'y'
	if in[4] != 'z' {
		t.Errorf("Parser.Bytes result aliases its input")
	}
}

func TestEmptyBytesNotNil(t *testing.T) {
	v, err := NewParser([]byte{0, 0, 0, 0}).Bytes()
	if err != nil || v == nil {
		t.Errorf("Bytes() of empty field = %#v, %v; want []byte{}, nil",
			v, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string // hex
		want error
	}{
		{"empty", "", ErrTruncated},
		{"short length", "000000", ErrTruncated},
		{"length past end", "00000005aabb", ErrTruncated},
		{"huge length", "ffffffff", ErrTruncated},
		{"short uint64", "00000000" + "00000000" + "01020304",
			ErrTruncated},
		{"huge count", "00000000" + "00000000" + "0000000000000000" +
			"ffffffff", ErrTruncated},
		{"count past end", "00000000" + "00000000" +
			"0000000000000000" + "00000002" + "00000000",
			ErrTruncated},
		{"trailing", "00000000" + "00000000" + "0000000000000000" +
			"00000000" + "00", ErrTrailing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := hex.DecodeString(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			_, err = parse(in)
			if !errors.Is(err, tt.want) {
				t.Errorf("parse(%s) error = %v, want %v",
					tt.in, err, tt.want)
			}
		})
	}
}

func TestErrorsAreSticky(t *testing.T) {
	p := NewParser([]byte{0, 0, 0, 9})
	_, first := p.Bytes()
	if first == nil {
		t.Fatal("Bytes() of truncated input succeeded")
	}
	// These bytes would parse on their own; the parser must not resume.
	p.in = []byte{0, 0, 0, 0}
	if _, err := p.String(); err != first {
		t.Errorf("String() after error = %v, want %v", err, first)
	}
	if err := p.Done(); err != first {
		t.Errorf("Done() after error = %v, want %v", err, first)
	}
}

// TestInjective checks field lists that a naive concatenation would
// confuse.
func TestInjective(t *testing.T) {
	enc := func(fields ...string) string {
		var b Builder
		for _, f := range fields {
			b.AddString(f)
		}
		return string(b.Bytes())
	}
	list := func(l ...[]byte) string {
		var b Builder
		b.AddBytesList(l)
		return string(b.Bytes())
	}
	tests := []struct {
		name string
		a, b string
	}{
		{"split point", enc("ab", "c"), enc("a", "bc")},
		{"empty field", enc("a", ""), enc("a")},
		{"list split", list([]byte("ab"), []byte("c")),
			list([]byte("a"), []byte("bc"))},
		{"list vs empty element", list([]byte("a")),
			list([]byte("a"), nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.a == tt.b {
				t.Errorf("encodings collide: %x", tt.a)
			}
		})
	}
}
