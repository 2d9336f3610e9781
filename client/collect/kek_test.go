package collect

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/infermargin/infermargin/client/secrets"
)

func TestParseTransit(t *testing.T) {
	tests := []struct {
		in, mount, key string
		ok             bool
	}{
		{"vault-transit://transit/acme-kek", "transit", "acme-kek", true},
		{"vault-transit://infermargin/transit/kek", "infermargin/transit",
			"kek", true},
		{"vault-transit://transit/", "", "", false},
		{"vault-transit://kek", "", "", false},
		{"vault-transit:///kek", "", "", false},
		{"vault-transit://a//kek", "", "", false},
		{"transit://transit/kek", "", "", false},
		{"keys/kek.json", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			mount, key, err := ParseTransit(tt.in)
			if !tt.ok {
				if !errors.Is(err, ErrKEKRef) {
					t.Errorf("ParseTransit(%q) = %v, want ErrKEKRef",
						tt.in, err)
				}
				return
			}
			if err != nil || mount != tt.mount || key != tt.key {
				t.Errorf("ParseTransit(%q) = %q, %q, %v; want %q, %q",
					tt.in, mount, key, err, tt.mount, tt.key)
			}
		})
	}
}

// TestTransitKEKPathKept checks that Load leaves a Transit kek as it
// is while making a file kek absolute.
func TestTransitKEKPathKept(t *testing.T) {
	ref := "vault-transit://transit/acme-kek"
	p := writeConfig(t, fullConfig+"  metrics_dir: m\n")
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(p), "m"); c.MetricsDir() != want {
		t.Errorf("MetricsDir() = %q, want %q", c.MetricsDir(), want)
	}
	c.Aggregators.KEK = ref
	c.resolvePaths("/elsewhere")
	if c.Aggregators.KEK != ref {
		t.Errorf("kek after resolvePaths = %q, want %q",
			c.Aggregators.KEK, ref)
	}
}

func TestOpenKEKErrors(t *testing.T) {
	r := secrets.NewResolver(secrets.VaultConfig{})
	for _, kek := range []string{"vault-transit://nokey",
		filepath.Join(t.TempDir(), "missing.json")} {
		if _, err := OpenKEK(context.Background(), kek, r); err == nil {
			t.Errorf("OpenKEK(%q) = nil, want an error", kek)
		}
	}
}
