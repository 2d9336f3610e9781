// Package wire is the canonical byte encoding of what InferMargin encrypts
// to and signs: HPKE context info, report and statement bodies, receipts.
// Every variable-length field carries its length, so two different field
// lists never encode to the same bytes, and a signature or a ciphertext
// bound to one message cannot be read back as another.
//
// The format is deliberately bare: a byte string is a big-endian uint32
// length followed by its bytes, a list is a big-endian uint32 count
// followed by its length-prefixed elements, an integer is 8 bytes
// big-endian. There are no tags, no optional fields and no version byte;
// the builder of each message fixes its layout and puts a versioned
// domain label first. Parser decodes untrusted input: it never panics,
// and it never allocates more than a small multiple of the input's size,
// however large a length prefix claims to be.
package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Sentinel errors returned, wrapped, by Parser.
var (
	// ErrTruncated reports input that ends inside a field, or a length
	// or count larger than what is left of the input.
	ErrTruncated = errors.New("truncated input")
	// ErrTrailing reports bytes left over after the last expected field.
	ErrTrailing = errors.New("trailing bytes")
)

// Builder appends fields to a byte string in the wire encoding. The zero
// value is an empty Builder ready to use.
type Builder struct {
	buf []byte
}

// AddBytes appends v as a big-endian uint32 length followed by v.
//
// It panics if len(v) does not fit in a uint32: no field of ours comes
// near 4 GiB, and callers bound sizes long before they build a message.
func (b *Builder) AddBytes(v []byte) {
	b.addLen(len(v))
	b.buf = append(b.buf, v...)
}

// AddString appends s like AddBytes. Strings are bytes here: s is not
// checked or normalised as UTF-8.
func (b *Builder) AddString(s string) {
	b.addLen(len(s))
	b.buf = append(b.buf, s...)
}

// AddUint64 appends v as 8 bytes, big-endian.
func (b *Builder) AddUint64(v uint64) {
	b.buf = binary.BigEndian.AppendUint64(b.buf, v)
}

// AddBytesList appends the number of elements of l as a big-endian
// uint32, then each element like AddBytes. A nil list and an empty list
// encode the same way.
func (b *Builder) AddBytesList(l [][]byte) {
	b.addLen(len(l))
	for _, v := range l {
		b.AddBytes(v)
	}
}

// Bytes returns a copy of the bytes built so far; the Builder can keep
// growing without changing what Bytes returned.
func (b *Builder) Bytes() []byte {
	return bytes.Clone(b.buf)
}

func (b *Builder) addLen(n int) {
	if uint64(n) > math.MaxUint32 {
		panic(fmt.Sprintf("wire: field of %d bytes exceeds uint32", n))
	}
	b.buf = binary.BigEndian.AppendUint32(b.buf, uint32(n))
}

// Parser reads, in order, fields written by a Builder. Errors are sticky:
// after the first one every method returns it again, so a caller may read
// all fields and check only Done.
type Parser struct {
	in  []byte
	err error
}

// NewParser returns a Parser reading in. The Parser does not modify in,
// and the values it returns do not alias it.
func NewParser(in []byte) *Parser {
	return &Parser{in: in}
}

// Bytes reads a length-prefixed byte string. The result is never nil, so
// an empty field reads back as an empty, non-nil slice.
func (p *Parser) Bytes() ([]byte, error) {
	n, err := p.count("bytes", 1)
	if err != nil {
		return nil, err
	}
	v := bytes.Clone(p.in[:n])
	p.in = p.in[n:]
	return v, nil
}

// String reads a length-prefixed string. Like AddString it does not
// check UTF-8.
func (p *Parser) String() (string, error) {
	n, err := p.count("string", 1)
	if err != nil {
		return "", err
	}
	s := string(p.in[:n])
	p.in = p.in[n:]
	return s, nil
}

// Uint64 reads 8 bytes as a big-endian integer.
func (p *Parser) Uint64() (uint64, error) {
	if p.err != nil {
		return 0, p.err
	}
	if len(p.in) < 8 {
		return 0, p.fail("read uint64: %d bytes left: %w",
			len(p.in), ErrTruncated)
	}
	v := binary.BigEndian.Uint64(p.in)
	p.in = p.in[8:]
	return v, nil
}

// BytesList reads a count-prefixed list of length-prefixed byte strings.
// The count is checked against the input left before anything is
// allocated: each element takes at least its 4-byte length.
func (p *Parser) BytesList() ([][]byte, error) {
	n, err := p.count("list", 4)
	if err != nil {
		return nil, err
	}
	l := make([][]byte, 0, n)
	for range n {
		v, err := p.Bytes()
		if err != nil {
			return nil, err
		}
		l = append(l, v)
	}
	return l, nil
}

// Done reports the first error met while parsing, or an error wrapping
// ErrTrailing if input is left over. A message is valid only if Done
// returns nil after its last field.
func (p *Parser) Done() error {
	if p.err != nil {
		return p.err
	}
	if len(p.in) > 0 {
		return p.fail("parse: %d bytes after last field: %w",
			len(p.in), ErrTrailing)
	}
	return nil
}

// count reads a uint32 length or count of items of at least size bytes
// each, and checks that the input left can hold that many.
func (p *Parser) count(what string, size int) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	if len(p.in) < 4 {
		return 0, p.fail("read %s: %d bytes left for length: %w",
			what, len(p.in), ErrTruncated)
	}
	n := uint64(binary.BigEndian.Uint32(p.in))
	p.in = p.in[4:]
	if n*uint64(size) > uint64(len(p.in)) {
		return 0, p.fail("read %s: length %d, %d bytes left: %w",
			what, n, len(p.in), ErrTruncated)
	}
	return int(n), nil
}

func (p *Parser) fail(format string, args ...any) error {
	p.err = fmt.Errorf("wire: "+format, args...)
	return p.err
}
