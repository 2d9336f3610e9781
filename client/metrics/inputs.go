package metrics

import (
	"math/big"
	"slices"
	"time"
)

// Providers of LLM costs that methodology v1 counts.
const (
	ProviderOpenAI    = "openai"
	ProviderAnthropic = "anthropic"
)

// Usage types of a Stripe recurring price.
const (
	UsageLicensed = "licensed"
	UsageMetered  = "metered"
)

// Cost is one cost bucket of an LLM provider: what the organization
// spent in the bucket that starts at Start.
type Cost struct {
	// Provider is ProviderOpenAI or ProviderAnthropic.
	Provider string
	// Start is when the bucket starts. A bucket counts in the month
	// that contains Start, whatever its width.
	Start time.Time
	// Amount is in dollars. Anthropic reports cents; its provider
	// client divides by 100 before handing the cost over. It must not
	// be nil.
	Amount *big.Rat
	// Currency is an ISO 4217 code in any case, like "usd" or "USD".
	Currency string
}

// Product is a Stripe product, reduced to what marks it as AI.
type Product struct {
	ID       string
	Metadata map[string]string
}

// AIProducts is the founder's choice of which Stripe products are AI
// products. The zero value matches no product.
type AIProducts struct {
	// IDs lists AI products by product id.
	IDs []string
	// Metadata marks AI products by metadata: a product matches when
	// it has every key here with the same value. Empty matches none.
	Metadata map[string]string
}

// Match reports whether p is an AI product: its id is listed in IDs or
// its metadata holds every key of a.Metadata with the same value.
func (a AIProducts) Match(p Product) bool {
	if p.ID != "" && slices.Contains(a.IDs, p.ID) {
		return true
	}
	return a.metadataMatch(p.Metadata)
}

// metadataMatch requires at least one configured key, so that an empty
// configuration, a vacuous "every key matches", marks nothing as AI.
func (a AIProducts) metadataMatch(md map[string]string) bool {
	if len(a.Metadata) == 0 {
		return false
	}
	for k, want := range a.Metadata {
		if v, ok := md[k]; !ok || v != want {
			return false
		}
	}
	return true
}

// Invoice is a Stripe invoice, reduced to what the rules read.
type Invoice struct {
	ID string
	// Customer is the Stripe customer id. Paid and open invoices must
	// have one.
	Customer string
	// Status is Stripe's: only "paid" and "open" invoices count.
	Status string
	// Currency is the invoice's ISO 4217 code, in any case. A line
	// without a currency of its own has this one.
	Currency string
	// Created is informational: revenue follows the line periods, not
	// the invoice date.
	Created time.Time
	// Lines are all the invoice's lines, every page of them.
	Lines []Line
}

// Line is a Stripe invoice line. Amounts are integers in the minor unit
// of the currency, cents for USD, as Stripe sends them.
type Line struct {
	ID string
	// Amount is Stripe's amount, tax included when tax is inclusive.
	Amount int64
	// AmountExcludingTax is Stripe's amount_excluding_tax; nil when
	// Stripe sent none, and then Amount is used.
	AmountExcludingTax *int64
	// DiscountAmounts are the amounts of the line's discount_amounts.
	DiscountAmounts []int64
	// Currency is an ISO 4217 code in any case; empty means the
	// invoice's currency.
	Currency string
	// PeriodStart and PeriodEnd bound the service period
	// [PeriodStart, PeriodEnd) the line pays for. They are whole
	// seconds in Stripe; a sub-second part is ignored.
	PeriodStart, PeriodEnd time.Time
	// ProductID is the product of the line's price; empty when the
	// line has no price.
	ProductID string
	// Subscription is set for lines of type subscription.
	Subscription bool
	// Recurring is set when the line's price is recurring.
	Recurring bool
	// UsageType is the recurring price's usage type: UsageLicensed,
	// UsageMetered, or empty for a one-time price.
	UsageType string
}

// BalanceTransaction is a Stripe balance transaction, reduced to what
// the fee rule reads.
type BalanceTransaction struct {
	ID string
	// Type is Stripe's: only "charge" and "payment" count.
	Type string
	// Currency is an ISO 4217 code, in any case.
	Currency string
	// Fee is Stripe's fee in the minor unit of Currency.
	Fee int64
	// Created decides the month the fee counts in.
	Created time.Time
}

// Inputs is everything Compute reads, as fetched from the providers. It
// may hold more than the period needs; Compute picks what counts.
type Inputs struct {
	// Costs are the OpenAI and Anthropic cost buckets. A provider the
	// company does not use has none.
	Costs []Cost
	// Products are the Stripe products. Only their metadata is read,
	// to match AI; a line whose product is absent here is AI only when
	// AI lists its id.
	Products []Product
	// AI is the founder's choice of AI products.
	AI AIProducts
	// Invoices are the Stripe invoices, of every status.
	Invoices []Invoice
	// BalanceTransactions are the Stripe balance transactions.
	BalanceTransactions []BalanceTransaction
}
