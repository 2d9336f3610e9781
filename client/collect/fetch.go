package collect

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/infermargin/infermargin/client/metrics"
	"github.com/infermargin/infermargin/client/providers/anthropic"
	"github.com/infermargin/infermargin/client/providers/cost"
	"github.com/infermargin/infermargin/client/providers/fetch"
	"github.com/infermargin/infermargin/client/providers/openai"
	pstripe "github.com/infermargin/infermargin/client/providers/stripe"
	"github.com/infermargin/infermargin/client/secrets"
)

// Stats says what a fetch did, for the founder.
type Stats struct {
	// Calls counts the API requests sent per provider, retries
	// included.
	Calls map[string]int64
	// UnknownAI lists configured AI product ids Stripe does not know,
	// likely typos.
	UnknownAI []string
}

// Window is the time ranges a fetch reads for period P.
type Window struct {
	// CostStart and CostEnd bound the costs: [start of P-1, end of P).
	CostStart, CostEnd time.Time
	// InvoiceStart and InvoiceEnd bound the invoices and balance
	// transactions: [start of P-1 minus the lookback, end of P).
	InvoiceStart, InvoiceEnd time.Time
}

// WindowOf returns the ranges read for p.
func (c *Config) WindowOf(p metrics.Period) Window {
	back := c.LookbackMonths
	if back == 0 {
		back = DefaultLookback
	}
	prev := p.Prev().Start()
	return Window{CostStart: prev, CostEnd: p.End(),
		InvoiceStart: prev.AddDate(0, -back, 0), InvoiceEnd: p.End()}
}

// Fetch reads every configured provider for period p and returns the
// inputs of metrics.Compute. Progress lines go to progress, which may
// be nil; they name providers, ranges and call counts, never an amount
// or a key. Keys are resolved through the config's Vault settings.
func Fetch(ctx context.Context, c *Config, p metrics.Period,
	progress io.Writer) (*metrics.Inputs, Stats, error) {
	f := &fetcher{c: c, w: c.WindowOf(p), res: c.resolver(),
		pr: newProgress(progress), st: Stats{Calls: map[string]int64{}}}
	in := new(metrics.Inputs)
	steps := []func(context.Context, *metrics.Inputs) error{
		f.openai, f.anthropic, f.stripe}
	for _, step := range steps {
		if err := step(ctx, in); err != nil {
			return nil, f.st, err
		}
	}
	return in, f.st, nil
}

func (c *Config) resolver() *secrets.Resolver {
	return secrets.NewResolver(secrets.VaultConfig{
		Addr:         c.Vault.Address,
		RoleIDFile:   c.Vault.RoleIDFile,
		SecretIDFile: c.Vault.SecretIDFile,
	})
}

// fetcher runs the providers of one Fetch.
type fetcher struct {
	c   *Config
	w   Window
	res *secrets.Resolver
	pr  *progress
	st  Stats
}

// key resolves a reference; the error names the setting, and the
// resolver's error names the reference, never the secret.
func (f *fetcher) key(ctx context.Context, setting, ref string) (
	fetch.Secret, error) {
	k, err := f.res.Resolve(ctx, ref)
	if err != nil {
		return "", fmt.Errorf("%s: %w", setting, err)
	}
	return fetch.Secret(k), nil
}

func (f *fetcher) openai(ctx context.Context, in *metrics.Inputs) error {
	cfg := f.c.Providers.OpenAI
	if cfg == nil {
		return nil
	}
	k, err := f.key(ctx, "providers.openai.admin_key", cfg.AdminKey)
	if err != nil {
		return err
	}
	cl := &openai.Client{BaseURL: cfg.BaseURL, AdminKey: k}
	return f.costs(ctx, in, metrics.ProviderOpenAI, cl.Costs, cl.Calls)
}

func (f *fetcher) anthropic(ctx context.Context,
	in *metrics.Inputs) error {
	cfg := f.c.Providers.Anthropic
	if cfg == nil {
		return nil
	}
	k, err := f.key(ctx, "providers.anthropic.admin_key", cfg.AdminKey)
	if err != nil {
		return err
	}
	cl := &anthropic.Client{BaseURL: cfg.BaseURL, AdminKey: k}
	return f.costs(ctx, in, metrics.ProviderAnthropic, cl.Costs, cl.Calls)
}

type costsFunc func(context.Context, time.Time, time.Time) (
	[]cost.Bucket, error)

// costs reads one LLM provider's daily costs into in.
func (f *fetcher) costs(ctx context.Context, in *metrics.Inputs,
	name string, read costsFunc, calls func() int64) error {
	done := f.pr.start(name, "costs", f.w.CostStart, f.w.CostEnd)
	bs, err := read(ctx, f.w.CostStart, f.w.CostEnd)
	f.st.Calls[name] = calls()
	done(calls(), err)
	if err != nil {
		return fmt.Errorf("fetch %s costs: %w", name, err)
	}
	for _, b := range bs {
		in.Costs = append(in.Costs, metrics.Cost{Provider: name,
			Start: b.Start, Amount: b.Amount, Currency: b.Currency})
	}
	return nil
}

func (f *fetcher) stripe(ctx context.Context, in *metrics.Inputs) error {
	cfg := f.c.Providers.Stripe
	if cfg == nil {
		return nil
	}
	k, err := f.key(ctx, "providers.stripe.restricted_key",
		cfg.RestrictedKey)
	if err != nil {
		return err
	}
	cl := &pstripe.Client{BaseURL: cfg.BaseURL, Key: k}
	ai := metrics.AIProducts{IDs: cfg.AIProducts.IDs,
		Metadata: cfg.AIProducts.Metadata}
	done := f.pr.start("stripe", "products, invoices and balance",
		f.w.InvoiceStart, f.w.InvoiceEnd)
	d, err := cl.Fetch(ctx, f.w.InvoiceStart, f.w.InvoiceEnd, ai)
	f.st.Calls["stripe"] = cl.Calls()
	done(cl.Calls(), err)
	if err != nil {
		return fmt.Errorf("fetch stripe: %w", err)
	}
	d.Fill(in)
	f.st.UnknownAI = d.UnknownAI
	return nil
}
