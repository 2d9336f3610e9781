// Package keystest holds the helpers the tests of the crypto packages
// share: building a keyset around a known key, and the malformed
// encodings every public-key parser must refuse. It is for tests only.
package keystest

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/key"
	"github.com/tink-crypto/tink-go/v2/keyset"
)

// Hex decodes a hex constant of a test.
func Hex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Handle returns a keyset holding k as its only, primary key.
func Handle(t testing.TB, k key.Key) *keyset.Handle {
	t.Helper()
	m := keyset.NewManager()
	id, err := m.AddKey(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetPrimary(id); err != nil {
		t.Fatal(err)
	}
	h, err := m.Handle()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Case is one named input a parser must refuse.
type Case struct {
	Name string
	In   []byte
}

// BadPublic returns encodings a public-key parser must refuse, made from
// a good public encoding and the matching private keyset.
func BadPublic(t testing.TB, good []byte, private *keyset.Handle) []Case {
	t.Helper()
	var secret bytes.Buffer
	w := keyset.NewBinaryWriter(&secret)
	if err := insecurecleartextkeyset.Write(private, w); err != nil {
		t.Fatal(err)
	}
	return []Case{
		{"empty", nil},
		{"truncated", good[:len(good)-1]},
		{"garbage", []byte("not a keyset")},
		{"private keyset", secret.Bytes()},
		{"too large", append(bytes.Clone(good), make([]byte, 2048)...)},
	}
}
