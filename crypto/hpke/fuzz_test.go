package hpke

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// FuzzOpen opens arbitrary bytes with a key made for this run, so no
// input can be a genuine ciphertext: Open must fail, with ErrDecrypt and
// without echoing the input, and never panic. The seeds in testdata
// include well-formed ciphertexts to other keys.
func FuzzOpen(f *testing.F) {
	priv, _ := newKey(f)
	_, other := newKey(f)
	info := testInfo("leader")
	ct, err := Seal(other, []byte("share"), info)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ct, info)
	f.Add(make([]byte, Overhead), []byte{})
	f.Fuzz(func(t *testing.T, ct, info []byte) {
		pt, err := Open(priv, ct, info)
		if err == nil {
			t.Fatalf("Open(fuzz) = %x, want error", pt)
		}
		if !errors.Is(err, ErrDecrypt) {
			t.Errorf("Open(fuzz) error = %v, want ErrDecrypt", err)
		}
		if len(ct) >= 8 && strings.Contains(err.Error(),
			hex.EncodeToString(ct[:8])) {
			t.Errorf("Open(fuzz) error echoes the ciphertext: %v", err)
		}
	})
}

// FuzzParsePublicKey parses arbitrary bytes as a published aggregator
// key. It must never panic, and what it accepts must marshal back to a
// stable form that parses again and can be sealed to.
func FuzzParsePublicKey(f *testing.F) {
	_, pub := newKey(f)
	good, err := pub.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := ParsePublicKey(in)
		if err != nil {
			return
		}
		b, err := p.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary(parsed) error: %v", err)
		}
		again, err := ParsePublicKey(b)
		if err != nil {
			t.Fatalf("ParsePublicKey(MarshalBinary(parsed)) error: %v",
				err)
		}
		b2, err := again.MarshalBinary()
		if err != nil || !bytes.Equal(b, b2) {
			t.Errorf("MarshalBinary not stable: %x then %x (%v)",
				b, b2, err)
		}
		if _, err := Seal(p, []byte("x"), nil); err != nil {
			t.Errorf("Seal(parsed key) error: %v", err)
		}
	})
}
