package enroll

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/infermargin/infermargin/client/collect"
	"github.com/infermargin/infermargin/client/secrets"
	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/internal/testenv"
)

// collectorConfig writes a collector configuration naming kek and the
// signing key Init made in dir, with paths relative to the file as a
// founder would write them, and loads it as collect does.
func collectorConfig(t *testing.T, dir, company, kek,
	vault string) *collect.Config {
	t.Helper()
	t.Setenv("IM_TEST_STRIPE", "rk_test_unused")
	y := fmt.Sprintf(`
providers:
  stripe:
    restricted_key: "env://IM_TEST_STRIPE"
    ai_products: {ids: [prod_1]}
aggregators:
  leader: https://leader.example
  helper: https://helper.example
  company: %s
  signing_key: %s
  kek: %q
vault: {address: %q}
`, company, SigningKeyFile, kek, vault)
	p := filepath.Join(dir, "collector.yaml")
	if err := os.WriteFile(p, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := collect.Load(p)
	if err != nil {
		t.Fatalf("collect.Load() = %v", err)
	}
	if err := c.ValidateMember(); err != nil {
		t.Fatalf("ValidateMember() = %v", err)
	}
	return c
}

// publicKeyID reads the public key file Init wrote.
func publicKeyID(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := keys.ReadPublic(f)
	if err != nil {
		t.Fatalf("ReadPublic(%s) = %v", path, err)
	}
	v, err := sign.VerifierFromHandle(h)
	if err != nil {
		t.Fatal(err)
	}
	return v.KeyID()
}

func signerKeyID(t *testing.T, s *sign.Signer) string {
	t.Helper()
	v, err := s.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	return v.KeyID()
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestInitThenCollectSigns is the keyset round trip: what Init makes,
// the collector's Signer reads, and it is the key of the public file.
func TestInitThenCollectSigns(t *testing.T) {
	dir := t.TempDir()
	made, err := Init(context.Background(), Options{Dir: dir,
		Company: "acme", Methodology: v1(t)})
	if err != nil {
		t.Fatalf("Init() = %v", err)
	}
	if !made.KEKCreated || made.KEK != filepath.Join(dir, KEKFile) {
		t.Errorf("Init() KEK = %q (created %v), want a new %s",
			made.KEK, made.KEKCreated, KEKFile)
	}
	for path, want := range map[string]os.FileMode{
		made.KEK: 0o600, made.SigningKey: 0o600, made.PublicKey: 0o644,
		made.Questionnaire: 0o600,
	} {
		if got := mode(t, path); got != want {
			t.Errorf("mode of %s = %04o, want %04o", path, got, want)
		}
	}

	c := collectorConfig(t, dir, "acme", KEKFile, "")
	s, err := c.Signer(context.Background())
	if err != nil {
		t.Fatalf("collect Signer() of Init's key = %v", err)
	}
	got, want := signerKeyID(t, s), publicKeyID(t, made.PublicKey)
	if got != want {
		t.Errorf("signer key id = %s, public file's = %s", got, want)
	}

	other := collectorConfig(t, dir, "other", KEKFile, "")
	if _, err := other.Signer(context.Background()); err == nil {
		t.Error("Signer() for another company = nil, want an error: " +
			"the key is bound to acme")
	}
}

func TestInitRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	o := Options{Dir: dir, Company: "acme", Methodology: v1(t)}
	made, err := Init(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	before := map[string][]byte{}
	for _, p := range []string{made.KEK, made.SigningKey, made.PublicKey,
		made.Questionnaire} {
		before[p], _ = os.ReadFile(p)
	}
	if _, err := Init(context.Background(), o); !errors.Is(err, ErrExists) {
		t.Fatalf("second Init() = %v, want ErrExists", err)
	}
	for p, b := range before {
		if got, _ := os.ReadFile(p); !bytes.Equal(got, b) {
			t.Errorf("second Init() changed %s", p)
		}
	}
}

// TestInitChecksBeforeWriting checks that one existing file stops
// Init before anything is made.
func TestInitChecksBeforeWriting(t *testing.T) {
	dir := t.TempDir()
	q := filepath.Join(dir, QuestionnaireFile)
	if err := os.WriteFile(q, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Init(context.Background(), Options{Dir: dir,
		Company: "acme", Methodology: v1(t)})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("Init() = %v, want ErrExists", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("Init() left %d files, want only the questionnaire",
			len(entries))
	}
}

// TestInitExistingKEK checks that an existing KEK file is used, not
// replaced, and that a failing one leaves nothing behind.
func TestInitExistingKEK(t *testing.T) {
	dir := t.TempDir()
	kek := filepath.Join(t.TempDir(), "my-kek.json")
	if err := keys.GenerateLocalKEK(kek); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(kek)
	made, err := Init(context.Background(), Options{Dir: dir,
		Company: "acme", KEK: kek, Methodology: v1(t)})
	if err != nil {
		t.Fatalf("Init() = %v", err)
	}
	if after, _ := os.ReadFile(kek); made.KEKCreated ||
		!bytes.Equal(after, before) {
		t.Error("Init() replaced an existing KEK")
	}
	c := collectorConfig(t, dir, "acme", kek, "")
	if _, err := c.Signer(context.Background()); err != nil {
		t.Errorf("Signer() = %v", err)
	}

	loose := filepath.Join(t.TempDir(), "kek.json")
	if err := keys.GenerateLocalKEK(loose); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(loose, 0o644); err != nil {
		t.Fatal(err)
	}
	dir2 := t.TempDir()
	_, err = Init(context.Background(), Options{Dir: dir2,
		Company: "acme", KEK: loose, Methodology: v1(t)})
	if !errors.Is(err, keys.ErrFileMode) {
		t.Errorf("Init() with a 0644 KEK = %v, want ErrFileMode", err)
	}
	if entries, _ := os.ReadDir(dir2); len(entries) != 0 {
		t.Errorf("failed Init() left %d files", len(entries))
	}
}

// TestInitTransit makes the key under a Vault Transit KEK and reads it
// back through the collector's configuration.
func TestInitTransit(t *testing.T) {
	v := testenv.Vault(t)
	ref := "vault-transit://transit/" + v.TransitKey(t)
	t.Setenv("IM_TEST_VAULT_TOKEN", v.Token)
	r := secrets.NewResolver(secrets.VaultConfig{Addr: v.Addr,
		TokenRef: "env://IM_TEST_VAULT_TOKEN"})
	dir := t.TempDir()
	made, err := Init(context.Background(), Options{Dir: dir,
		Company: "acme", KEK: ref, Vault: r, Methodology: v1(t)})
	if err != nil {
		t.Fatalf("Init() = %v", err)
	}
	if made.KEK != ref || made.KEKCreated {
		t.Errorf("Init() KEK = %q (created %v), want %q", made.KEK,
			made.KEKCreated, ref)
	}
	if _, err := os.Stat(filepath.Join(dir, KEKFile)); err == nil {
		t.Error("Init() with a Transit KEK wrote a local KEK file")
	}

	t.Setenv("VAULT_TOKEN", v.Token)
	c := collectorConfig(t, dir, "acme", ref, v.Addr)
	s, err := c.Signer(context.Background())
	if err != nil {
		t.Fatalf("collect Signer() under Transit = %v", err)
	}
	got, want := signerKeyID(t, s), publicKeyID(t, made.PublicKey)
	if got != want {
		t.Errorf("signer key id = %s, public file's = %s", got, want)
	}
}

func TestInitBadInput(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"bad company", Options{Company: "Acme Inc"}},
		{"bad transit ref", Options{Company: "acme",
			KEK: "vault-transit://nokey"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Dir = t.TempDir()
			tt.o.Methodology = v1(t)
			if _, err := Init(context.Background(), tt.o); err == nil {
				t.Fatal("Init() = nil, want an error")
			}
			if entries, _ := os.ReadDir(tt.o.Dir); len(entries) != 0 {
				t.Errorf("failed Init() left %d files", len(entries))
			}
		})
	}
}
