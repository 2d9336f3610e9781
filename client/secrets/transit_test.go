package secrets

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/internal/testenv"
)

var _ keys.KEK = TransitKEK{}

// transitKEK returns a TransitKEK of a new Transit key, with a client
// from a Resolver, as the collector builds it.
func transitKEK(t *testing.T) (TransitKEK, *testenv.VaultServer) {
	t.Helper()
	v := testenv.Vault(t)
	name := v.TransitKey(t)
	t.Setenv("IM_TEST_VAULT_TOKEN", v.Token)
	r := NewResolver(VaultConfig{Addr: v.Addr,
		TokenRef: "env://IM_TEST_VAULT_TOKEN"})
	c, err := r.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return TransitKEK{Client: c, Key: name}, v
}

func TestTransitKEK(t *testing.T) {
	kek, v := transitKEK(t)
	pt, ad := []byte("a serialized keyset"), []byte("infermargin/test")
	ct, err := kek.Encrypt(pt, ad)
	if err != nil {
		t.Fatalf("Encrypt() error: %v", err)
	}
	if !bytes.HasPrefix(ct, []byte("vault:v1:")) ||
		bytes.Contains(ct, pt) {
		t.Fatalf("Encrypt() = %q, want a vault:v1: ciphertext", ct)
	}
	if got, err := kek.Decrypt(ct, ad); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("Decrypt(Encrypt(pt)) = %q, %v; want %q", got, err, pt)
	}

	other := kek
	other.Key = v.TransitKey(t)
	noClient := kek
	noClient.Client = nil
	tests := []struct {
		name string
		kek  TransitKEK
		ct   []byte
		ad   string
	}{
		{"wrong ad", kek, ct, "infermargin/other"},
		{"no ad", kek, ct, ""},
		{"tampered", kek, tamper(ct), string(ad)},
		{"truncated", kek, ct[:len(ct)-4], string(ad)},
		{"not transit", kek, []byte("AAAA"), string(ad)},
		{"other key", other, ct, string(ad)},
		{"no client", noClient, ct, string(ad)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.kek.Decrypt(tt.ct, []byte(tt.ad))
			if err == nil {
				t.Fatalf("Decrypt() = %q, want error", got)
			}
			if !strings.Contains(err.Error(), tt.kek.Key) ||
				strings.Contains(err.Error(), string(pt)) ||
				strings.Contains(err.Error(), v.Token) {
				t.Errorf("Decrypt() error %q: want the key name, "+
					"no plaintext, no token", err)
			}
		})
	}
}

// tamper flips one base64 character in the middle of a Transit
// ciphertext, keeping it well-formed.
func tamper(ct []byte) []byte {
	b := bytes.Clone(ct)
	i := len("vault:v1:") + (len(b)-len("vault:v1:"))/2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return b
}

// TestTransitKEKKeyset stores a Tink signing keyset with
// keys.WriteEncrypted under Transit, reads it back, and checks that
// the key read back signs for the original's verifier.
func TestTransitKEKKeyset(t *testing.T) {
	kek, _ := transitKEK(t)
	s, err := sign.GenerateSigner()
	if err != nil {
		t.Fatal(err)
	}
	ad := []byte("infermargin/sign/company")
	var buf bytes.Buffer
	if err := keys.WriteEncrypted(&buf, s.Handle(), kek, ad); err != nil {
		t.Fatalf("WriteEncrypted() error: %v", err)
	}
	stored := buf.Bytes()

	if _, err := keys.ReadEncrypted(bytes.NewReader(stored), kek,
		[]byte("infermargin/hpke/leader")); err == nil {
		t.Errorf("ReadEncrypted(other ad) succeeded, want error")
	}
	h, err := keys.ReadEncrypted(bytes.NewReader(stored), kek, ad)
	if err != nil {
		t.Fatalf("ReadEncrypted() error: %v", err)
	}
	back, err := sign.SignerFromHandle(h)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("report")
	sig, err := back.Sign(sign.KindReport, msg)
	if err != nil {
		t.Fatal(err)
	}
	ver, err := s.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	if err := ver.Verify(sign.KindReport, msg, sig); err != nil {
		t.Errorf("key read back signs for another verifier: %v", err)
	}
}

func TestIgnoredParameter(t *testing.T) {
	body := map[string]any{"plaintext": "", "associated_data": "YQ=="}
	tests := []struct {
		warnings []string
		want     bool
	}{
		{nil, false},
		{[]string{"Endpoint ignored these unrecognized parameters: " +
			"[associated_data]"}, true},
		{[]string{"Endpoint ignored these unrecognized parameters: " +
			"[foo]"}, false},
		{[]string{"key associated_data is deprecated"}, false},
	}
	for _, tt := range tests {
		got := ignored(&api.Secret{Warnings: tt.warnings}, body)
		if got != tt.want {
			t.Errorf("ignored(%q) = %v, want %v", tt.warnings, got,
				tt.want)
		}
	}
}
