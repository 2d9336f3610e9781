package collect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/infermargin/infermargin/aggregation"
)

// maxConfig bounds the configuration file; it is a few dozen lines.
const maxConfig = 1 << 20

// DefaultLookback is how many months before the previous period the
// Stripe invoices are read from, when lookback_months is zero: an
// annual plan invoiced up to a year before still pays for P-1 and P.
const DefaultLookback = 13

// DefaultMethodology is the methodology version used when the file
// names none.
const DefaultMethodology = "v1"

// Config is the collector's configuration, one YAML file. Secrets are
// references (vault://, env://, file://) resolved at run time, never
// values. A provider section left out means the provider is not used.
type Config struct {
	// Providers are the data sources; a dry run needs only these.
	Providers Providers `yaml:"providers"`
	// Aggregators are where reports go; nil is fine for a dry run.
	Aggregators *Aggregators `yaml:"aggregators"`
	// Methodology is the version computed under; empty means
	// DefaultMethodology.
	Methodology string `yaml:"methodology"`
	// LookbackMonths is how far before P-1 invoices are read; zero
	// means DefaultLookback.
	LookbackMonths int `yaml:"lookback_months"`
	// Vault says how vault:// references are resolved; its zero
	// value reads VAULT_ADDR and VAULT_TOKEN.
	Vault Vault `yaml:"vault"`
}

// Providers holds one section per provider; nil means not used.
type Providers struct {
	OpenAI    *AdminAPI `yaml:"openai"`
	Anthropic *AdminAPI `yaml:"anthropic"`
	Stripe    *Stripe   `yaml:"stripe"`
}

// AdminAPI is an LLM provider read with an admin key.
type AdminAPI struct {
	// BaseURL is the API's scheme and host; empty means the real API.
	BaseURL string `yaml:"base_url"`
	// AdminKey is a secret reference to the admin key.
	AdminKey string `yaml:"admin_key"`
}

// Stripe is the Stripe account read with a restricted key.
type Stripe struct {
	// BaseURL is the API's scheme and host; empty means the real API.
	BaseURL string `yaml:"base_url"`
	// RestrictedKey is a secret reference to an rk_... key.
	RestrictedKey string `yaml:"restricted_key"`
	// AIProducts says which products are AI: listed by id, or
	// carrying every metadata key with the same value.
	AIProducts AIProducts `yaml:"ai_products"`
}

// AIProducts is the founder's choice of AI products.
type AIProducts struct {
	IDs      []string          `yaml:"ids"`
	Metadata map[string]string `yaml:"metadata"`
}

// Aggregators is what an upload needs: the two aggregators, their
// public keys (files from their operators), the company's identity
// and signing key, the batch cohort and where receipts are kept.
// Relative paths are relative to the configuration file.
type Aggregators struct {
	Leader string `yaml:"leader"`
	Helper string `yaml:"helper"`
	// Company is the company id both aggregators enrolled.
	Company string `yaml:"company"`
	// Cohort is the cohort id and version, like "support-smb@1".
	Cohort string `yaml:"cohort"`
	// SigningKey is the company's Tink keyset, encrypted under KEK;
	// `infermargin org init` makes it.
	SigningKey string `yaml:"signing_key"`
	// KEK is the key-encryption key: a local key file (mode 0600) or
	// a Vault Transit key, vault-transit://MOUNT/KEY (see OpenKEK).
	KEK string `yaml:"kek"`
	// The operators' public keys: HPKE share keys and statement keys.
	LeaderShareKey     string `yaml:"leader_share_key"`
	HelperShareKey     string `yaml:"helper_share_key"`
	LeaderStatementKey string `yaml:"leader_statement_key"`
	HelperStatementKey string `yaml:"helper_statement_key"`
	// ReceiptsDir is where signed receipts are written (created 0700).
	ReceiptsDir string `yaml:"receipts_dir"`
	// MetricsDir is where each computed month's metrics are kept, as
	// YYYY-MM.enc (mode 0600, folder 0700) encrypted under KEK, for
	// `infermargin dashboard`; they never leave the machine. Empty
	// means the folder "metrics" beside ReceiptsDir, and with both
	// empty, or no KEK, nothing is kept.
	MetricsDir string `yaml:"metrics_dir"`
}

// Vault configures how vault:// references are read. Empty fields
// fall back to VAULT_ADDR and VAULT_TOKEN.
type Vault struct {
	Address      string `yaml:"address"`
	RoleIDFile   string `yaml:"role_id_file"`
	SecretIDFile string `yaml:"secret_id_file"`
}

// Load reads the configuration at path strictly (an unknown key is an
// error), makes its paths absolute, applies the INFERMARGIN_*
// environment variables (see Env) and checks the providers. Call
// ValidateUpload before an upload.
func Load(path string) (*Config, error) {
	return load(path, (*Config).Validate)
}

// LoadMember reads the configuration as Load does but checks only what
// a company needs to speak to the aggregators as itself
// (ValidateMember): a founder may enroll, or read the private tier,
// before the provider keys are set up.
func LoadMember(path string) (*Config, error) {
	return load(path, (*Config).ValidateMember)
}

func load(path string, validate func(*Config) error) (*Config, error) {
	b, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c.resolvePaths(filepath.Dir(path))
	c.Override(os.LookupEnv)
	if err := validate(c); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

func readConfig(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfig+1))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if len(b) > maxConfig {
		return nil, fmt.Errorf("config %s: over %d bytes", path, maxConfig)
	}
	return b, nil
}

// Parse decodes a configuration strictly: an unknown key is an error.
// It neither applies the environment nor validates.
func Parse(b []byte) (*Config, error) {
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	c := new(Config)
	if err := d.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return c, nil
}

// resolvePaths makes the file settings relative to dir absolute.
func (c *Config) resolvePaths(dir string) {
	a := c.Aggregators
	if a == nil {
		return
	}
	for _, p := range []*string{&a.SigningKey, &a.KEK, &a.LeaderShareKey,
		&a.HelperShareKey, &a.LeaderStatementKey, &a.HelperStatementKey,
		&a.ReceiptsDir, &a.MetricsDir} {
		if *p != "" && !filepath.IsAbs(*p) && !IsTransit(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
}

// Validate checks the providers and the general settings, naming the
// setting at fault. It never quotes a secret reference's value.
func (c *Config) Validate() error {
	p := c.Providers
	if p.OpenAI == nil && p.Anthropic == nil && p.Stripe == nil {
		return errors.New("providers: configure at least one of " +
			"openai, anthropic and stripe")
	}
	if err := p.OpenAI.check("openai"); err != nil {
		return err
	}
	if err := p.Anthropic.check("anthropic"); err != nil {
		return err
	}
	if err := p.Stripe.check(); err != nil {
		return err
	}
	if c.LookbackMonths < 0 || c.LookbackMonths > 120 {
		return errors.New("lookback_months: want 0 to 120")
	}
	return nil
}

func (a *AdminAPI) check(name string) error {
	if a == nil {
		return nil
	}
	f := "providers." + name
	if err := checkURL(f+".base_url", a.BaseURL, true); err != nil {
		return err
	}
	return checkRef(f+".admin_key", a.AdminKey)
}

func (s *Stripe) check() error {
	if s == nil {
		return nil
	}
	if err := checkURL("providers.stripe.base_url", s.BaseURL,
		true); err != nil {
		return err
	}
	err := checkRef("providers.stripe.restricted_key", s.RestrictedKey)
	if err != nil {
		return err
	}
	if len(s.AIProducts.IDs) == 0 && len(s.AIProducts.Metadata) == 0 {
		return errors.New("providers.stripe.ai_products: list ids or " +
			"metadata; otherwise no revenue counts as AI")
	}
	return nil
}

// ValidateUpload checks what an upload needs besides the providers.
func (c *Config) ValidateUpload() error {
	a := c.Aggregators
	if a == nil {
		return errors.New("aggregators: missing; an upload needs it " +
			"(a dry run does not)")
	}
	if err := a.checkIdentity(); err != nil {
		return err
	}
	b := aggregation.BatchID{Cohort: a.Cohort, Period: "2000-01",
		Methodology: "v1"}
	if err := b.Validate(); err != nil {
		return fmt.Errorf("aggregators.cohort: %w", err)
	}
	return a.checkFiles()
}

// ValidateMember checks what a company needs to speak to the
// aggregators as itself, to enroll or to read its cohort's private
// results: both URLs, the company id, its signing key and the
// key-encryption key. Unlike ValidateUpload it needs no cohort and no
// operator keys, which a company has only once enrolled.
func (c *Config) ValidateMember() error {
	a := c.Aggregators
	if a == nil {
		return errors.New("aggregators: missing; name the leader, the " +
			"helper, the company, signing_key and kek")
	}
	if err := a.checkIdentity(); err != nil {
		return err
	}
	if a.SigningKey == "" {
		return errors.New("aggregators.signing_key: missing")
	}
	if a.KEK == "" {
		return errors.New("aggregators.kek: missing")
	}
	return nil
}

// checkIdentity checks the two nodes' URLs and the company id.
func (a *Aggregators) checkIdentity() error {
	if err := checkURL("aggregators.leader", a.Leader, false); err != nil {
		return err
	}
	if err := checkURL("aggregators.helper", a.Helper, false); err != nil {
		return err
	}
	if err := aggregation.CheckCompany(a.Company); err != nil {
		return fmt.Errorf("aggregators.company: %w", err)
	}
	return nil
}

func (a *Aggregators) checkFiles() error {
	for _, f := range []struct{ name, v string }{
		{"signing_key", a.SigningKey}, {"kek", a.KEK},
		{"leader_share_key", a.LeaderShareKey},
		{"helper_share_key", a.HelperShareKey},
		{"leader_statement_key", a.LeaderStatementKey},
		{"helper_statement_key", a.HelperStatementKey},
		{"receipts_dir", a.ReceiptsDir},
	} {
		if f.v == "" {
			return fmt.Errorf("aggregators.%s: missing; an upload "+
				"needs it", f.name)
		}
	}
	return nil
}

// checkURL accepts an https URL with a host and no path beyond "/",
// or http to a loopback host, for tests and local fakes.
func checkURL(field, s string, optional bool) error {
	if s == "" {
		if optional {
			return nil
		}
		return fmt.Errorf("%s: missing", field)
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return fmt.Errorf("%s %q: want https://host[:port]", field, s)
	}
	if u.Scheme == "https" || u.Scheme == "http" && loopback(u) {
		return nil
	}
	return fmt.Errorf("%s %q: want https (http only to a loopback "+
		"address)", field, s)
}

func loopback(u *url.URL) bool {
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// checkRef refuses a setting that holds a value where a reference
// belongs, without quoting it.
func checkRef(field, ref string) error {
	scheme, rest, ok := strings.Cut(ref, "://")
	switch {
	case ref == "":
		return fmt.Errorf("%s: missing", field)
	case !ok || rest == "":
		return fmt.Errorf("%s: want a secret reference (vault://, env://"+
			" or file://), not a key; the value is withheld", field)
	case scheme != "vault" && scheme != "env" && scheme != "file":
		return fmt.Errorf("%s: unknown scheme; want vault://, env:// or "+
			"file://", field)
	}
	return nil
}
