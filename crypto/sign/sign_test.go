package sign

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/hybrid"
	"github.com/tink-crypto/tink-go/v2/keyset"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/signature"

	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/infermargin/infermargin/crypto/keys/keystest"
)

var kinds = []Kind{KindReport, KindStatement, KindReceipt, KindEnrollment,
	KindRequest}

func newSigner(t testing.TB) (*Signer, *Verifier) {
	t.Helper()
	s, err := GenerateSigner()
	if err != nil {
		t.Fatalf("GenerateSigner() error: %v", err)
	}
	v, err := s.Verifier()
	if err != nil {
		t.Fatalf("Verifier() error: %v", err)
	}
	return s, v
}

func TestSignVerify(t *testing.T) {
	s, v := newSigner(t)
	for _, kind := range kinds {
		for _, msg := range [][]byte{nil, []byte("report"),
			bytes.Repeat([]byte{7}, 4096)} {
			name := fmt.Sprintf("%s/%d bytes", kind, len(msg))
			t.Run(name, func(t *testing.T) {
				sig, err := s.Sign(kind, msg)
				if err != nil {
					t.Fatalf("Sign() error: %v", err)
				}
				if len(sig) != SignatureSize {
					t.Errorf("len(Sign()) = %d, want %d",
						len(sig), SignatureSize)
				}
				if err := v.Verify(kind, msg, sig); err != nil {
					t.Errorf("Verify(Sign()) error: %v", err)
				}
			})
		}
	}
}

func flip(b []byte, i int) []byte {
	b = bytes.Clone(b)
	b[i] ^= 0x01
	return b
}

func TestVerifyRefuses(t *testing.T) {
	s, v := newSigner(t)
	_, other := newSigner(t)
	msg := []byte("batch=cohort-7@3/2026-01/v1")
	sig, err := s.Sign(KindStatement, msg)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		v    *Verifier
		kind Kind
		msg  []byte
		sig  []byte
	}{
		{"other kind", v, KindReport, msg, sig},
		{"unknown kind", v, "infermargin/statement/v2", msg, sig},
		{"message bit", v, KindStatement, flip(msg, 3), sig},
		{"message extended", v, KindStatement, append(msg, 0), sig},
		{"signature R bit", v, KindStatement, msg, flip(sig, 0)},
		{"signature S bit", v, KindStatement, msg, flip(sig, 40)},
		{"signature last bit", v, KindStatement, msg, flip(sig, 63)},
		{"signature truncated", v, KindStatement, msg, sig[:63]},
		{"signature extended", v, KindStatement, msg, append(sig, 0)},
		{"no signature", v, KindStatement, msg, nil},
		{"other key", other, KindStatement, msg, sig},
		{"zero verifier", &Verifier{}, KindStatement, msg, sig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.v.Verify(tt.kind, tt.msg, tt.sig)
			if !errors.Is(err, ErrBadSignature) {
				t.Errorf("Verify() error = %v, want ErrBadSignature",
					err)
			}
		})
	}
}

func TestSignRefuses(t *testing.T) {
	s, _ := newSigner(t)
	for _, kind := range []Kind{"", "infermargin/report/v2", keyIDLabel} {
		if _, err := s.Sign(kind, []byte("x")); err == nil {
			t.Errorf("Sign(%q) succeeded, want error", kind)
		}
	}
	if _, err := (&Signer{}).Sign(KindReport, nil); err == nil {
		t.Errorf("Sign() with zero Signer succeeded, want error")
	}
}

// TestMessageKnownAnswer pins the signed bytes, as written in Message's
// doc comment, for auditors who recompute them.
func TestMessageKnownAnswer(t *testing.T) {
	got := hex.EncodeToString(Message(KindReport, []byte("abc")))
	const want = "00000015" + // len("infermargin/report/v1") = 21
		"696e6665726d617267696e2f7265706f72742f7631" +
		"616263"
	if got != want {
		t.Errorf("Message(KindReport, abc) = %s, want %s", got, want)
	}
}

func TestMessageInjective(t *testing.T) {
	tests := []struct {
		name   string
		ka, kb Kind
		ma, mb string
	}{
		{"split", "ab", "a", "c", "bc"},
		{"kinds", KindReport, KindReceipt, "m", "m"},
		{"empty message", KindReport, "infermargin/report/v", "", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Message(tt.ka, []byte(tt.ma))
			b := Message(tt.kb, []byte(tt.mb))
			if bytes.Equal(a, b) {
				t.Errorf("Message collides: %x", a)
			}
		})
	}
}

func TestSignerRedacted(t *testing.T) {
	s, _ := newSigner(t)
	e, err := s.Handle().Primary()
	if err != nil {
		t.Fatal(err)
	}
	seed := rawSeed(t, e.Key())
	const want = "sign.Signer(redacted)"
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{s, *s} {
			got := fmt.Sprintf(verb, v)
			if strings.Contains(got, hex.EncodeToString(seed)) ||
				strings.Contains(got, fmt.Sprint(seed)) {
				t.Errorf("Sprintf(%q, %T) reveals the key: %s",
					verb, v, got)
			}
		}
		if got := fmt.Sprintf(verb, s); got != want {
			t.Errorf("Sprintf(%q, s) = %q, want %q", verb, got, want)
		}
	}
}

func TestKeyIDStable(t *testing.T) {
	s, v := newSigner(t)
	_, other := newSigner(t)
	id := v.KeyID()
	if len(id) != 32 {
		t.Errorf("len(KeyID()) = %d, want 32 hex digits", len(id))
	}

	b, err := v.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := ParseVerifier(b)
	if err != nil {
		t.Fatalf("ParseVerifier() error: %v", err)
	}
	again, err := s.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	if err := keys.WritePublic(&js, v.Handle()); err != nil {
		t.Fatal(err)
	}
	h, err := keys.ReadPublic(&js)
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := VerifierFromHandle(h)
	if err != nil {
		t.Fatal(err)
	}

	for name, got := range map[string]*Verifier{
		"parsed": parsed, "again": again, "from json": fromJSON,
	} {
		if got.KeyID() != id {
			t.Errorf("KeyID() of %s verifier = %s, want %s",
				name, got.KeyID(), id)
		}
	}
	if other.KeyID() == id {
		t.Errorf("two keys share KeyID %s", id)
	}
}

func TestFromHandleRefuses(t *testing.T) {
	tmpls := map[string]*tinkpb.KeyTemplate{
		"tink prefix": signature.ED25519KeyTemplate(),
		"ecdsa":       signature.ECDSAP256KeyWithoutPrefixTemplate(),
		"aead":        aead.AES256GCMKeyTemplate(),
		"hpke": hybrid.
			DHKEM_X25519_HKDF_SHA256_HKDF_SHA256_AES_256_GCM_Raw_Key_Template(),
	}
	for name, tmpl := range tmpls {
		t.Run(name, func(t *testing.T) {
			h, err := keyset.NewHandle(tmpl)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := SignerFromHandle(h); err == nil {
				t.Errorf("SignerFromHandle(%s) succeeded", name)
			}
			pub, err := h.Public()
			if err != nil {
				return // a symmetric keyset has no public half
			}
			if _, err := VerifierFromHandle(pub); err == nil {
				t.Errorf("VerifierFromHandle(%s) succeeded", name)
			}
		})
	}

	s, v := newSigner(t)
	if _, err := SignerFromHandle(v.Handle()); err == nil {
		t.Errorf("SignerFromHandle(public keyset) succeeded")
	}
	if _, err := VerifierFromHandle(s.Handle()); err == nil {
		t.Errorf("VerifierFromHandle(private keyset) succeeded")
	}
	m := keyset.NewManagerFromHandle(s.Handle())
	_, err := m.Add(signature.ED25519KeyWithoutPrefixTemplate())
	if err != nil {
		t.Fatal(err)
	}
	two, err := m.Handle()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SignerFromHandle(two); err == nil {
		t.Errorf("SignerFromHandle(two keys) succeeded")
	}
}

func TestParseVerifierRefuses(t *testing.T) {
	s, v := newSigner(t)
	good, err := v.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range keystest.BadPublic(t, good, s.Handle()) {
		t.Run(tt.Name, func(t *testing.T) {
			if _, err := ParseVerifier(tt.In); err == nil {
				t.Errorf("ParseVerifier(%s) succeeded", tt.Name)
			}
		})
	}
}

func BenchmarkSign(b *testing.B) {
	s, _ := newSigner(b)
	msg := make([]byte, 512)
	for b.Loop() {
		if _, err := s.Sign(KindReport, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	s, v := newSigner(b)
	msg := make([]byte, 512)
	sig, err := s.Sign(KindReport, msg)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := v.Verify(KindReport, msg, sig); err != nil {
			b.Fatal(err)
		}
	}
}
