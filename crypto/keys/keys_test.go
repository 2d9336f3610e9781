package keys

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/hybrid"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/signature"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// Any Tink AEAD must be usable as a KEK, as Vault Transit's will be.
var _ KEK = tink.AEAD(nil)

func newKEK(t testing.TB) KEK {
	t.Helper()
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	a, err := aead.New(h)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func newPrivate(t testing.TB) *keyset.Handle {
	t.Helper()
	h, err := keyset.NewHandle(hybrid.
		DHKEM_X25519_HKDF_SHA256_HKDF_SHA256_AES_256_GCM_Raw_Key_Template())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// publicJSON is the public half of h as JSON, to compare keysets.
func publicJSON(t testing.TB, h *keyset.Handle) string {
	t.Helper()
	pub, err := h.Public()
	if err != nil {
		t.Fatal(err)
	}
	return writeJSON(t, pub)
}

// writeJSON is WritePublic into a string.
func writeJSON(t testing.TB, h *keyset.Handle) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePublic(&buf, h); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestEncryptedRoundTrip(t *testing.T) {
	kek, h := newKEK(t), newPrivate(t)
	ad := []byte("infermargin/hpke/leader")
	var buf bytes.Buffer
	if err := WriteEncrypted(&buf, h, kek, ad); err != nil {
		t.Fatalf("WriteEncrypted() error: %v", err)
	}

	got, err := ReadEncrypted(&buf, kek, ad)
	if err != nil {
		t.Fatalf("ReadEncrypted() error: %v", err)
	}
	if diff := cmp.Diff(publicJSON(t, h), publicJSON(t, got)); diff != "" {
		t.Errorf("reloaded keyset differs (-want +got):\n%s", diff)
	}
}

func TestReadEncryptedRefuses(t *testing.T) {
	kek, h := newKEK(t), newPrivate(t)
	ad := []byte("infermargin/hpke/leader")
	var buf bytes.Buffer
	if err := WriteEncrypted(&buf, h, kek, ad); err != nil {
		t.Fatal(err)
	}
	stored := buf.Bytes()
	tampered := bytes.Replace(stored, []byte(`"encryptedKeyset":"`),
		[]byte(`"encryptedKeyset":"AAAA`), 1)

	tests := []struct {
		name string
		in   []byte
		kek  KEK
		ad   string
	}{
		{"other purpose", stored, kek, "infermargin/hpke/helper"},
		{"other kek", stored, newKEK(t), string(ad)},
		{"empty ad", stored, kek, ""},
		{"nil kek", stored, nil, string(ad)},
		{"tampered", tampered, kek, string(ad)},
		{"truncated", stored[:len(stored)/2], kek, string(ad)},
		{"too large", make([]byte, MaxKeysetSize+1), kek, string(ad)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bytes.NewReader(tt.in)
			_, err := ReadEncrypted(r, tt.kek, []byte(tt.ad))
			if err == nil {
				t.Errorf("ReadEncrypted() succeeded, want error")
			}
		})
	}
}

func TestWriteEncryptedRefuses(t *testing.T) {
	kek, h := newKEK(t), newPrivate(t)
	tests := []struct {
		name string
		h    *keyset.Handle
		kek  KEK
		ad   []byte
	}{
		{"empty ad", h, kek, nil},
		{"nil kek", h, nil, []byte("x")},
		{"nil keyset", nil, kek, []byte("x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteEncrypted(&buf, tt.h, tt.kek, tt.ad)
			if err == nil {
				t.Errorf("WriteEncrypted() succeeded, want error")
			}
		})
	}
}

// TestEncryptedHidesKey checks that no secret key value appears in what
// WriteEncrypted writes.
func TestEncryptedHidesKey(t *testing.T) {
	kek, h := newKEK(t), newPrivate(t)
	var buf bytes.Buffer
	err := WriteEncrypted(&buf, h, kek, []byte("infermargin/test"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range insecurecleartextkeyset.KeysetMaterial(h).GetKey() {
		v := k.GetKeyData().GetValue()
		for _, s := range []string{
			base64.StdEncoding.EncodeToString(v),
			string(v),
		} {
			if strings.Contains(buf.String(), s) {
				t.Errorf("encrypted keyset contains key value %q", s)
			}
		}
	}
}

func TestPublicRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		private func() *keyset.Handle
	}{
		{"hpke", func() *keyset.Handle { return newPrivate(t) }},
		{"ed25519", func() *keyset.Handle {
			h, err := keyset.NewHandle(
				signature.ED25519KeyWithoutPrefixTemplate())
			if err != nil {
				t.Fatal(err)
			}
			return h
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := publicJSON(t, tt.private())
			h, err := ReadPublic(strings.NewReader(want))
			if err != nil {
				t.Fatalf("ReadPublic() error: %v", err)
			}
			if diff := cmp.Diff(want, writeJSON(t, h)); diff != "" {
				t.Errorf("round trip differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPublicRefusesSecrets(t *testing.T) {
	aeadKeyset, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		h    *keyset.Handle
	}{
		{"hpke private", newPrivate(t)},
		{"symmetric", aeadKeyset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WritePublic(&buf, tt.h); err == nil {
				t.Errorf("WritePublic() succeeded, want error")
			}
			if buf.Len() != 0 {
				t.Errorf("WritePublic() wrote %d bytes", buf.Len())
			}

			buf.Reset()
			err := insecurecleartextkeyset.Write(
				tt.h, keyset.NewJSONWriter(&buf))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ReadPublic(&buf); err == nil {
				t.Errorf("ReadPublic(cleartext secret) succeeded")
			}
		})
	}
}
