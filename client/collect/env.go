package collect

// EnvVar is an environment variable that overrides one setting. A
// variable set to the empty string counts as unset.
type EnvVar struct {
	// Name is the variable, like INFERMARGIN_AGGREGATOR_LEADER.
	Name string
	// Setting is the YAML path it overrides, like aggregators.leader.
	Setting string

	field func(c *Config) *string
}

// Env lists every variable Override reads. Variables of a provider
// section turn the provider on if the file left it out; key variables
// hold references (env://, vault://, file://), never keys.
var Env = []EnvVar{
	{"INFERMARGIN_OPENAI_BASE_URL", "providers.openai.base_url",
		func(c *Config) *string { return &openaiSection(c).BaseURL }},
	{"INFERMARGIN_OPENAI_ADMIN_KEY", "providers.openai.admin_key",
		func(c *Config) *string { return &openaiSection(c).AdminKey }},
	{"INFERMARGIN_ANTHROPIC_BASE_URL", "providers.anthropic.base_url",
		func(c *Config) *string { return &anthropicSection(c).BaseURL }},
	{"INFERMARGIN_ANTHROPIC_ADMIN_KEY", "providers.anthropic.admin_key",
		func(c *Config) *string { return &anthropicSection(c).AdminKey }},
	{"INFERMARGIN_STRIPE_BASE_URL", "providers.stripe.base_url",
		func(c *Config) *string { return &stripeSection(c).BaseURL }},
	{"INFERMARGIN_STRIPE_RESTRICTED_KEY", "providers.stripe.restricted_key",
		func(c *Config) *string { return &stripeSection(c).RestrictedKey }},
	agg("LEADER", "leader", func(a *Aggregators) *string {
		return &a.Leader
	}),
	agg("HELPER", "helper", func(a *Aggregators) *string {
		return &a.Helper
	}),
	agg("COMPANY", "company", func(a *Aggregators) *string {
		return &a.Company
	}),
	agg("COHORT", "cohort", func(a *Aggregators) *string {
		return &a.Cohort
	}),
	agg("SIGNING_KEY", "signing_key", func(a *Aggregators) *string {
		return &a.SigningKey
	}),
	agg("KEK", "kek", func(a *Aggregators) *string { return &a.KEK }),
	agg("RECEIPTS_DIR", "receipts_dir", func(a *Aggregators) *string {
		return &a.ReceiptsDir
	}),
	agg("METRICS_DIR", "metrics_dir", func(a *Aggregators) *string {
		return &a.MetricsDir
	}),
	agg("LEADER_SHARE_KEY", "leader_share_key",
		func(a *Aggregators) *string { return &a.LeaderShareKey }),
	agg("HELPER_SHARE_KEY", "helper_share_key",
		func(a *Aggregators) *string { return &a.HelperShareKey }),
	agg("LEADER_STATEMENT_KEY", "leader_statement_key",
		func(a *Aggregators) *string { return &a.LeaderStatementKey }),
	agg("HELPER_STATEMENT_KEY", "helper_statement_key",
		func(a *Aggregators) *string { return &a.HelperStatementKey }),
	{"VAULT_ADDR", "vault.address", nil},
}

// agg builds the variable of an aggregators setting.
func agg(suffix, key string, f func(*Aggregators) *string) EnvVar {
	return EnvVar{Name: "INFERMARGIN_AGGREGATOR_" + suffix,
		Setting: "aggregators." + key,
		field: func(c *Config) *string {
			if c.Aggregators == nil {
				c.Aggregators = new(Aggregators)
			}
			return f(c.Aggregators)
		}}
}

func openaiSection(c *Config) *AdminAPI {
	if c.Providers.OpenAI == nil {
		c.Providers.OpenAI = new(AdminAPI)
	}
	return c.Providers.OpenAI
}

func anthropicSection(c *Config) *AdminAPI {
	if c.Providers.Anthropic == nil {
		c.Providers.Anthropic = new(AdminAPI)
	}
	return c.Providers.Anthropic
}

func stripeSection(c *Config) *Stripe {
	if c.Providers.Stripe == nil {
		c.Providers.Stripe = new(Stripe)
	}
	return c.Providers.Stripe
}

// Override applies the variables of Env that lookup finds set and
// non-empty, as os.LookupEnv does. VAULT_ADDR is read by the Vault
// client itself and is listed only to document it.
func (c *Config) Override(lookup func(string) (string, bool)) {
	for _, e := range Env {
		if e.field == nil {
			continue
		}
		if v, ok := lookup(e.Name); ok && v != "" {
			*e.field(c) = v
		}
	}
}
