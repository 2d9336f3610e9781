package hpke

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/hybrid"
	"github.com/tink-crypto/tink-go/v2/keyset"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/signature"

	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/infermargin/infermargin/crypto/keys/keystest"
)

func newKey(t testing.TB) (*PrivateKey, *PublicKey) {
	t.Helper()
	priv, err := GenerateKey()
	if err != nil {
		t.Fatalf("GenerateKey() error: %v", err)
	}
	pub, err := priv.Public()
	if err != nil {
		t.Fatalf("Public() error: %v", err)
	}
	return priv, pub
}

func testInfo(role string) []byte {
	id := [16]byte{0: 0x01, 15: 0xff}
	shares := [][]byte{{0xaa, 0xbb}, {0xcc}}
	return Info(id, "cohort-7@3/2026-01/v1", role, shares)
}

func TestSealOpen(t *testing.T) {
	priv, pub := newKey(t)
	tests := []struct {
		name      string
		plaintext []byte
		info      []byte
	}{
		{"empty plaintext", []byte{}, testInfo("leader")},
		{"one byte", []byte{0x2a}, testInfo("helper")},
		{"2 KiB", bytes.Repeat([]byte{0x5c}, 2048), testInfo("leader")},
		{"empty info", []byte("share"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, err := Seal(pub, tt.plaintext, tt.info)
			if err != nil {
				t.Fatalf("Seal() error: %v", err)
			}
			want := len(tt.plaintext) + Overhead
			if len(ct) != want {
				t.Errorf("len(Seal()) = %d, want %d", len(ct), want)
			}
			got, err := Open(priv, ct, tt.info)
			if err != nil {
				t.Fatalf("Open() error: %v", err)
			}
			diff := cmp.Diff(tt.plaintext, got, cmpopts.EquateEmpty())
			if diff != "" {
				t.Errorf("Open(Seal(p)) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSealIsRandomized(t *testing.T) {
	_, pub := newKey(t)
	a, err := Seal(pub, []byte("same"), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Seal(pub, []byte("same"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		t.Errorf("two Seal() of one plaintext are equal: %x", a)
	}
}

func TestOpenWrongInfo(t *testing.T) {
	priv, pub := newKey(t)
	id := [16]byte{1, 2, 3}
	const batch = "cohort-7@3/2026-01/v1"
	shares := [][]byte{[]byte("pub-0"), []byte("pub-1")}
	ct, err := Seal(pub, []byte("share"), Info(id, batch, "leader", shares))
	if err != nil {
		t.Fatal(err)
	}

	otherID := id
	otherID[15] ^= 1
	tests := []struct {
		name string
		info []byte
	}{
		{"report id", Info(otherID, batch, "leader", shares)},
		{"batch", Info(id, "cohort-7@3/2026-02/v1", "leader", shares)},
		{"role", Info(id, batch, "helper", shares)},
		{"public share", Info(id, batch, "leader",
			[][]byte{[]byte("pub-0"), []byte("pub-2")})},
		{"share dropped", Info(id, batch, "leader", shares[:1])},
		{"no info", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(priv, ct, tt.info)
			if !errors.Is(err, ErrDecrypt) {
				t.Errorf("Open() with other %s: error = %v, "+
					"want ErrDecrypt", tt.name, err)
			}
		})
	}
}

// TestOpenTampered flips one bit in every byte of a ciphertext in turn:
// the encapsulated key, the body and the tag must all be covered.
func TestOpenTampered(t *testing.T) {
	priv, pub := newKey(t)
	info := testInfo("leader")
	ct, err := Seal(pub, []byte("share"), info)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ct {
		bad := bytes.Clone(ct)
		bad[i] ^= 0x01
		if _, err := Open(priv, bad, info); !errors.Is(err, ErrDecrypt) {
			t.Errorf("Open() with byte %d flipped: error = %v, "+
				"want ErrDecrypt", i, err)
		}
	}
	for _, n := range []int{0, 1, Overhead - 1, len(ct) - 1} {
		_, err := Open(priv, ct[:n], info)
		if !errors.Is(err, ErrDecrypt) {
			t.Errorf("Open() of %d-byte prefix: error = %v, "+
				"want ErrDecrypt", n, err)
		}
	}
}

func TestOpenOtherKey(t *testing.T) {
	_, pub := newKey(t)
	other, _ := newKey(t)
	info := testInfo("helper")
	ct, err := Seal(pub, []byte("share"), info)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(other, ct, info); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Open() with other key: error = %v, want ErrDecrypt", err)
	}
}

func TestOpenErrorHidesSecrets(t *testing.T) {
	priv, pub := newKey(t)
	plaintext := []byte("secret-metric-value")
	ct, err := Seal(pub, plaintext, []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(priv, ct, []byte("b"))
	if err == nil {
		t.Fatal("Open() with wrong info succeeded")
	}
	rawPriv, _ := rawKeys(t, priv)
	msg := err.Error()
	for name, secret := range map[string][]byte{
		"plaintext":   plaintext,
		"ciphertext":  ct[Overhead/2 : Overhead/2+8],
		"private key": rawPriv[:8],
	} {
		for _, form := range []string{string(secret),
			hex.EncodeToString(secret), fmt.Sprint(secret)} {
			if strings.Contains(msg, form) {
				t.Errorf("Open() error %q contains the %s", msg, name)
			}
		}
	}
}

func TestNilKeys(t *testing.T) {
	if _, err := Seal(nil, []byte("x"), nil); err == nil {
		t.Errorf("Seal(nil) succeeded")
	}
	if _, err := Seal(&PublicKey{}, []byte("x"), nil); err == nil {
		t.Errorf("Seal(&PublicKey{}) succeeded")
	}
	_, err := Open(&PrivateKey{}, make([]byte, 64), nil)
	if !errors.Is(err, ErrDecrypt) {
		t.Errorf("Open(&PrivateKey{}) error = %v, want ErrDecrypt", err)
	}
}

func TestPrivateKeyRedacted(t *testing.T) {
	priv, _ := newKey(t)
	rawPriv, _ := rawKeys(t, priv)
	const want = "hpke.PrivateKey(redacted)"
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{priv, *priv} {
			got := fmt.Sprintf(verb, v)
			if strings.Contains(got, hex.EncodeToString(rawPriv)) ||
				strings.Contains(got, fmt.Sprint(rawPriv)) {
				t.Errorf("Sprintf(%q, %T) reveals the key: %s",
					verb, v, got)
			}
		}
		if got := fmt.Sprintf(verb, priv); got != want {
			t.Errorf("Sprintf(%q, priv) = %q, want %q", verb, got, want)
		}
	}
}

func TestPublicKeyRoundTrip(t *testing.T) {
	priv, pub := newKey(t)
	b, err := pub.MarshalBinary()
	if err != nil {
		t.Fatalf("MarshalBinary() error: %v", err)
	}
	parsed, err := ParsePublicKey(b)
	if err != nil {
		t.Fatalf("ParsePublicKey() error: %v", err)
	}
	again, err := parsed.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, again); diff != "" {
		t.Errorf("MarshalBinary after parse differs (-want +got):\n%s",
			diff)
	}

	info := testInfo("leader")
	ct, err := Seal(parsed, []byte("share"), info)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(priv, ct, info); err != nil {
		t.Errorf("Open() of ciphertext to parsed key: %v", err)
	}
}

// otherKeysets are keysets that neither FromHandle function may accept.
func otherKeysets(t *testing.T) map[string]*keyset.Handle {
	t.Helper()
	tmpls := map[string]*tinkpb.KeyTemplate{
		"p256": hybrid.
			DHKEM_P256_HKDF_SHA256_HKDF_SHA256_AES_256_GCM_Raw_Key_Template(),
		"tink prefix": hybrid.
			DHKEM_X25519_HKDF_SHA256_HKDF_SHA256_AES_256_GCM_Key_Template(),
		"aes128": hybrid.
			DHKEM_X25519_HKDF_SHA256_HKDF_SHA256_AES_128_GCM_Raw_Key_Template(),
		"aead":    aead.AES256GCMKeyTemplate(),
		"ed25519": signature.ED25519KeyWithoutPrefixTemplate(),
	}
	hs := map[string]*keyset.Handle{}
	for name, tmpl := range tmpls {
		h, err := keyset.NewHandle(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		hs[name] = h
	}

	priv, _ := newKey(t)
	m := keyset.NewManagerFromHandle(priv.Handle())
	if _, err := m.Add(hybrid.
		DHKEM_X25519_HKDF_SHA256_HKDF_SHA256_AES_256_GCM_Raw_Key_Template(),
	); err != nil {
		t.Fatal(err)
	}
	two, err := m.Handle()
	if err != nil {
		t.Fatal(err)
	}
	hs["two keys"] = two
	return hs
}

func TestFromHandleRefuses(t *testing.T) {
	priv, pub := newKey(t)
	for name, h := range otherKeysets(t) {
		t.Run(name, func(t *testing.T) {
			if _, err := PrivateKeyFromHandle(h); err == nil {
				t.Errorf("PrivateKeyFromHandle(%s) succeeded", name)
			}
			pub, err := h.Public()
			if err != nil {
				return // a symmetric keyset has no public half
			}
			if _, err := PublicKeyFromHandle(pub); err == nil {
				t.Errorf("PublicKeyFromHandle(%s) succeeded", name)
			}
		})
	}
	t.Run("public as private", func(t *testing.T) {
		if _, err := PrivateKeyFromHandle(pub.Handle()); err == nil {
			t.Errorf("PrivateKeyFromHandle(public keyset) succeeded")
		}
	})
	t.Run("private as public", func(t *testing.T) {
		if _, err := PublicKeyFromHandle(priv.Handle()); err == nil {
			t.Errorf("PublicKeyFromHandle(private keyset) succeeded")
		}
	})
	t.Run("nil", func(t *testing.T) {
		if _, err := PrivateKeyFromHandle(nil); err == nil {
			t.Errorf("PrivateKeyFromHandle(nil) succeeded")
		}
	})
}

func TestParsePublicKeyRefuses(t *testing.T) {
	priv, pub := newKey(t)
	good, err := pub.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range keystest.BadPublic(t, good, priv.Handle()) {
		t.Run(tt.Name, func(t *testing.T) {
			if _, err := ParsePublicKey(tt.In); err == nil {
				t.Errorf("ParsePublicKey(%s) succeeded", tt.Name)
			}
		})
	}
}

// TestStoreAndReload is the intended life of an aggregator key: encrypt
// its keyset at rest, read it back, and still open what was sealed.
func TestStoreAndReload(t *testing.T) {
	kh, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	kek, err := aead.New(kh)
	if err != nil {
		t.Fatal(err)
	}
	priv, pub := newKey(t)
	ad := []byte("infermargin/hpke/leader")
	var buf bytes.Buffer
	if err := keys.WriteEncrypted(&buf, priv.Handle(), kek, ad); err != nil {
		t.Fatal(err)
	}
	h, err := keys.ReadEncrypted(&buf, kek, ad)
	if err != nil {
		t.Fatal(err)
	}
	reloaded, err := PrivateKeyFromHandle(h)
	if err != nil {
		t.Fatalf("PrivateKeyFromHandle(reloaded) error: %v", err)
	}

	info := testInfo("leader")
	ct, err := Seal(pub, []byte("share"), info)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(reloaded, ct, info); err != nil {
		t.Errorf("Open() with reloaded key: %v", err)
	}
}

func BenchmarkSeal(b *testing.B) {
	_, pub := newKey(b)
	pt, info := make([]byte, 2048), testInfo("leader")
	b.SetBytes(int64(len(pt)))
	for b.Loop() {
		if _, err := Seal(pub, pt, info); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	priv, pub := newKey(b)
	info := testInfo("leader")
	ct, err := Seal(pub, make([]byte, 2048), info)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(2048)
	for b.Loop() {
		if _, err := Open(priv, ct, info); err != nil {
			b.Fatal(err)
		}
	}
}
