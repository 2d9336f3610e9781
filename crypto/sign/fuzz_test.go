package sign

import (
	"errors"
	"testing"
)

// FuzzParseVerifier parses arbitrary bytes as an enrolled company key or
// a published aggregator key. It must never panic, and what it accepts
// must marshal back to a form that parses to the same KeyID.
func FuzzParseVerifier(f *testing.F) {
	_, v := newSigner(f)
	good, err := v.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := ParseVerifier(in)
		if err != nil {
			return
		}
		b, err := v.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary(parsed) error: %v", err)
		}
		again, err := ParseVerifier(b)
		if err != nil {
			t.Fatalf("ParseVerifier(MarshalBinary(parsed)) error: %v",
				err)
		}
		if again.KeyID() != v.KeyID() {
			t.Errorf("KeyID changed across marshal: %s, then %s",
				v.KeyID(), again.KeyID())
		}
	})
}

// FuzzVerify checks arbitrary messages and signatures against a key
// made for this run, so nothing the fuzzer invents can be a genuine
// signature: Verify must fail with ErrBadSignature, and never panic.
func FuzzVerify(f *testing.F) {
	_, v := newSigner(f)
	other, _ := newSigner(f)
	msg := []byte("report")
	sig, err := other.Sign(KindReport, msg)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(KindReport), msg, sig)
	f.Add(string(KindStatement), []byte{}, make([]byte, SignatureSize))
	f.Add("", []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, kind string, msg, sig []byte) {
		err := v.Verify(Kind(kind), msg, sig)
		if !errors.Is(err, ErrBadSignature) {
			t.Errorf("Verify(fuzz) error = %v, want ErrBadSignature",
				err)
		}
	})
}
