package collect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fullConfig = `
providers:
  openai:    {base_url: https://api.openai.com, admin_key: "vault://secret/infermargin#openai_admin_key"}
  anthropic: {base_url: https://api.anthropic.com, admin_key: "vault://secret/infermargin#anthropic_admin_key"}
  stripe:
    base_url: https://api.stripe.com
    restricted_key: "vault://secret/infermargin#stripe_restricted_key"
    ai_products: {ids: [prod_123], metadata: {ai: "true"}}
aggregators:
  leader: https://leader.example
  helper: https://helper.example
  company: acme
  cohort: support-smb@1
  signing_key: keys/company.json
  kek: keys/kek.json
  leader_share_key: keys/leader-share.pub
  helper_share_key: keys/helper-share.pub
  leader_statement_key: keys/leader-statement.pub
  helper_statement_key: keys/helper-statement.pub
  receipts_dir: receipts
`

func writeConfig(t *testing.T, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "collector.yaml")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadFull(t *testing.T) {
	p := writeConfig(t, fullConfig)
	c, err := Load(p)
	if err != nil {
		t.Fatalf("Load = %v", err)
	}
	if err := c.ValidateUpload(); err != nil {
		t.Fatalf("ValidateUpload = %v", err)
	}
	want := filepath.Join(filepath.Dir(p), "keys", "kek.json")
	if c.Aggregators.KEK != want {
		t.Errorf("kek = %q, want %q", c.Aggregators.KEK, want)
	}
	if got := c.Providers.Stripe.AIProducts.Metadata["ai"]; got != "true" {
		t.Errorf("ai_products.metadata.ai = %q, want true", got)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "providers: {openai: {admin_key: env://K, " +
			"adminkey: x}}", "field adminkey not found"},
		{"unknown top", "provider: {}", "field provider not found"},
		{"no provider", "providers: {}", "providers: configure"},
		{"key value", "providers: {openai: {admin_key: sk-admin-SECRET}}",
			"providers.openai.admin_key: want a secret reference"},
		{"bad scheme", "providers: {anthropic: {admin_key: " +
			"http://x/SECRET}}", "providers.anthropic.admin_key: unknown"},
		{"missing key", "providers: {openai: {base_url: " +
			"https://api.openai.com}}", "providers.openai.admin_key: missing"},
		{"http url", "providers: {openai: {admin_key: env://K, base_url: " +
			"http://api.openai.com}}", "providers.openai.base_url"},
		{"no ai products", "providers: {stripe: {restricted_key: " +
			"env://K}}", "providers.stripe.ai_products"},
		{"lookback", "lookback_months: -1\nproviders: {openai: " +
			"{admin_key: env://K}}", "lookback_months"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v, want an error with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error %q quotes the secret", err)
			}
		})
	}
}

func TestValidateUploadErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(a *Aggregators)
		want string
	}{
		{"none", nil, "aggregators: missing"},
		{"leader", func(a *Aggregators) { a.Leader = "" },
			"aggregators.leader: missing"},
		{"helper http", func(a *Aggregators) {
			a.Helper = "http://helper.example"
		}, "aggregators.helper"},
		{"company", func(a *Aggregators) { a.Company = "Acme!" },
			"aggregators.company"},
		{"cohort", func(a *Aggregators) { a.Cohort = "smb" },
			"aggregators.cohort"},
		{"kek", func(a *Aggregators) { a.KEK = "" },
			"aggregators.kek: missing"},
		{"receipts", func(a *Aggregators) { a.ReceiptsDir = "" },
			"aggregators.receipts_dir: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(fullConfig))
			if err != nil {
				t.Fatal(err)
			}
			if tt.edit == nil {
				c.Aggregators = nil
			} else {
				tt.edit(c.Aggregators)
			}
			err = c.ValidateUpload()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ValidateUpload = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDryRunNeedsOnlyProviders(t *testing.T) {
	_, err := Load(writeConfig(t, "providers: {openai: {admin_key: "+
		"\"vault://secret/im#k\"}}"))
	if err != nil {
		t.Fatalf("Load = %v, want nil", err)
	}
}

// TestMemberNeedsNoProviders checks that a founder may enroll before
// setting up provider keys, while the collector still needs them.
func TestMemberNeedsNoProviders(t *testing.T) {
	p := writeConfig(t, `
aggregators:
  leader: https://leader.example
  helper: https://helper.example
  company: acme
  signing_key: keys/signing.key
  kek: keys/kek.json
`)
	c, err := LoadMember(p)
	if err != nil {
		t.Fatalf("LoadMember = %v, want nil", err)
	}
	want := filepath.Join(filepath.Dir(p), "keys", "signing.key")
	if c.Aggregators.SigningKey != want {
		t.Errorf("signing_key = %q, want %q", c.Aggregators.SigningKey,
			want)
	}
	if _, err := Load(p); err == nil ||
		!strings.Contains(err.Error(), "providers") {
		t.Errorf("Load = %v, want an error about providers", err)
	}
	p = writeConfig(t, `
aggregators: {leader: https://leader.example, helper: https://helper.example,
  company: acme, kek: keys/kek.json}
`)
	if _, err := LoadMember(p); err == nil ||
		!strings.Contains(err.Error(), "signing_key") {
		t.Errorf("LoadMember without signing_key = %v, want an error "+
			"naming it", err)
	}
}

func TestOverride(t *testing.T) {
	c, err := Parse([]byte("providers: {openai: {admin_key: env://A}}"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"INFERMARGIN_OPENAI_ADMIN_KEY":         "env://B",
		"INFERMARGIN_ANTHROPIC_ADMIN_KEY":      "file:///k",
		"INFERMARGIN_AGGREGATOR_LEADER":        "https://l.example",
		"INFERMARGIN_AGGREGATOR_COHORT":        "smb@2",
		"INFERMARGIN_AGGREGATOR_RECEIPTS_DIR":  "/r",
		"INFERMARGIN_AGGREGATOR_HELPER":        "",
		"INFERMARGIN_AGGREGATOR_SHARE_UNKNOWN": "x",
	}
	c.Override(func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
	a := c.Aggregators
	for _, tt := range []struct{ name, got, want string }{
		{"openai key", c.Providers.OpenAI.AdminKey, "env://B"},
		{"anthropic key", c.Providers.Anthropic.AdminKey, "file:///k"},
		{"leader", a.Leader, "https://l.example"},
		{"cohort", a.Cohort, "smb@2"},
		{"receipts", a.ReceiptsDir, "/r"},
		{"helper (empty is unset)", a.Helper, ""},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if c.Providers.Stripe != nil {
		t.Error("stripe turned on by no variable")
	}
}

func TestEnvNames(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Env {
		if seen[e.Name] || !strings.HasPrefix(e.Name, "INFERMARGIN_") &&
			e.Name != "VAULT_ADDR" {
			t.Errorf("variable %s: duplicate or badly named", e.Name)
		}
		seen[e.Name] = true
	}
}
