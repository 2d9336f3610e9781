package keys

import (
	"bytes"
	"testing"
)

// FuzzReadPublic feeds arbitrary bytes where a public keyset is expected,
// as when an aggregator's published key is fetched. It must never panic,
// and whatever it accepts must write back out as a public keyset.
func FuzzReadPublic(f *testing.F) {
	f.Add([]byte(publicJSON(f, newPrivate(f))))
	f.Add([]byte(`{"primaryKeyId":1,"key":[]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		h, err := ReadPublic(bytes.NewReader(in))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WritePublic(&buf, h); err != nil {
			t.Errorf("WritePublic(ReadPublic(in)) error: %v", err)
		}
	})
}

// FuzzReadEncrypted feeds arbitrary bytes where an encrypted keyset is
// expected, under a KEK fixed for the run: a stored keyset that was
// tampered with must fail cleanly, and nothing the fuzzer invents can
// decrypt.
func FuzzReadEncrypted(f *testing.F) {
	kek, other := newKEK(f), newKEK(f)
	ad := []byte("infermargin/fuzz")
	var buf bytes.Buffer
	if err := WriteEncrypted(&buf, newPrivate(f), other, ad); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"encryptedKeyset":"AAAA","keysetInfo":{}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		h, err := ReadEncrypted(bytes.NewReader(in), kek, ad)
		if err == nil {
			t.Errorf("ReadEncrypted(fuzz) = %v, want error", h)
		}
	})
}
