package methodology

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// MaxSize is the largest methodology file Parse accepts, in bytes.
const MaxSize = 1 << 20

// maxDepth bounds the nesting of a file; the schema needs 4 levels.
const maxDepth = 16

// Canonical returns the canonical encoding of m, the bytes Digest hashes.
// It follows RFC 8785 (JSON Canonicalization Scheme) so that an auditor
// can recompute it in any language:
//
//   - m is encoded as JSON with every field present (nil as null);
//   - that JSON is decoded into generic values and encoded again with
//     object keys sorted, no whitespace and no HTML escaping;
//   - numbers are written in ECMAScript shortest round-trip form
//     (1000000, 0.05, 1e-7, 1e+21), with -0 written as 0.
//
// Key order agrees with RFC 8785 because keys are ASCII, and string
// escaping agrees because Validate rejects control characters and
// U+2028, U+2029 in strings. Canonical panics if m holds a NaN or an
// infinity, which Parse and Validate never let through.
func (m *Methodology) Canonical() []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("methodology: canonical encoding: %v", err))
	}
	c, err := canonicalize(b)
	if err != nil {
		panic(fmt.Sprintf("methodology: canonical encoding: %v", err))
	}
	return c
}

// Digest returns the lowercase hex SHA-256 of m's canonical encoding.
// Every published report cites it.
func (m *Methodology) Digest() string {
	sum := sha256.Sum256(m.Canonical())
	return hex.EncodeToString(sum[:])
}

// canonicalize re-encodes one JSON value as described on Canonical.
func canonicalize(b []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}

	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(positiveZero(v)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// positiveZero replaces -0 by 0 throughout v, as RFC 8785 writes both
// as 0 while encoding/json would write "-0".
func positiveZero(v any) any {
	switch v := v.(type) {
	case float64:
		if v == 0 {
			return 0.0
		}
	case []any:
		for i := range v {
			v[i] = positiveZero(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = positiveZero(v[k])
		}
	}
	return v
}

// frame is one open object or array during scan.
type frame struct {
	object  bool
	wantKey bool
	keys    map[string]bool
}

// scan checks what encoding/json lets through but a strict, portable
// methodology file must not have: invalid UTF-8, more than one value,
// duplicate keys, keys that are not lowercase snake_case (encoding/json
// matches field names case-insensitively), strings that RFC 8785 and
// encoding/json escape differently, and deep nesting.
func scan(b []byte) error {
	if len(b) > MaxSize {
		return fmt.Errorf("larger than %d bytes", MaxSize)
	}
	if !utf8.Valid(b) {
		return errors.New("not valid utf-8")
	}

	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var stack []*frame
	values := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if len(stack) == 0 {
			values++
		}
		if values > 1 {
			return errors.New("more than one json value")
		}
		stack, err = step(stack, tok)
		if err != nil {
			return fmt.Errorf("at byte %d: %w", d.InputOffset(), err)
		}
	}
	if values == 0 {
		return errors.New("empty input")
	}
	return nil
}

// step applies one token to the stack of open containers.
func step(stack []*frame, tok json.Token) ([]*frame, error) {
	var top *frame
	if len(stack) > 0 {
		top = stack[len(stack)-1]
	}
	if s, ok := tok.(string); ok {
		if err := checkString(s); err != nil {
			return nil, err
		}
	}

	if top != nil && top.wantKey && tok != json.Delim('}') {
		top.wantKey = false
		k, ok := tok.(string)
		if !ok {
			return nil, errors.New("object key is not a string")
		}
		return stack, checkKey(top, k)
	}
	if top != nil && top.object {
		top.wantKey = true
	}

	switch tok {
	case json.Delim('{'), json.Delim('['):
		if len(stack) == maxDepth {
			return nil, fmt.Errorf("nested deeper than %d", maxDepth)
		}
		f := &frame{object: tok == json.Delim('{')}
		f.wantKey = f.object
		f.keys = map[string]bool{}
		return append(stack, f), nil
	case json.Delim('}'), json.Delim(']'):
		return stack[:len(stack)-1], nil
	}
	return stack, nil
}

// checkKey checks one object key and records it in f.
func checkKey(f *frame, k string) error {
	if !isSnake(k) {
		return fmt.Errorf("key %q is not lowercase snake_case", k)
	}
	if f.keys[k] {
		return fmt.Errorf("duplicate key %q", k)
	}
	f.keys[k] = true
	return nil
}

// checkString rejects runes that make string escaping differ between
// encoding/json and RFC 8785, or that hide a decoding problem.
func checkString(s string) error {
	for _, r := range s {
		switch {
		case r < 0x20:
			return errors.New("control character in string")
		case r == '\u2028', r == '\u2029':
			return errors.New("line or paragraph separator in string")
		case r == utf8.RuneError:
			return errors.New("replacement character in string")
		}
	}
	return nil
}

// isSnake reports whether s is lowercase snake_case: a letter, then
// letters, digits and underscores.
func isSnake(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}
