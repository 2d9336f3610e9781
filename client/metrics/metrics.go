// Package metrics computes a company's five monthly metrics from its
// provider data, following the rules of methodology v1 to the letter:
// LLM spend from OpenAI and Anthropic cost buckets, AI revenue, MRR and
// active paying customers from Stripe invoice lines, payment fees from
// Stripe balance transactions. Compute returns the metric values and
// every figure they were derived from, so the founder can check them
// before anything leaves the machine.
//
// Money is counted exactly: Stripe's integer cents and the providers'
// dollar amounts are added and allocated across months as fractions
// (math/big.Rat), and only the final metric values are rounded, once, to
// the nearest float64.
//
// The package deliberately does no I/O: it does not call providers,
// read configuration or secrets, log, bucket values or share them. The
// provider clients turn API responses into Inputs; the methodology
// package turns the values into bucket indices. Errors name ids and
// currency codes but never an amount, since amounts are secret.
package metrics

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by this package; test for them with errors.Is.
var (
	// ErrPeriod means a period is not a valid YYYY-MM month.
	ErrPeriod = errors.New("invalid period")
	// ErrInput means an input is malformed, such as a cost without an
	// amount or a line whose period ends before it starts.
	ErrInput = errors.New("invalid input")
	// ErrCurrency means an amount that enters a figure is not in USD.
	ErrCurrency = errors.New("currency not counted")
)

// InputError is a malformed input. It matches ErrInput with errors.Is.
type InputError struct {
	// Item locates the input, like `invoice "in_1" line "il_2"`.
	Item string
	// Reason says what is wrong with it; it never holds an amount.
	Reason string
}

// Error returns the item and the reason.
func (e *InputError) Error() string { return e.Item + ": " + e.Reason }

// Unwrap returns ErrInput.
func (e *InputError) Unwrap() error { return ErrInput }

// CurrencyError reports amounts in currencies other than USD among the
// amounts that enter a figure. Methodology v1 neither converts nor
// drops them, so the run stops. It matches ErrCurrency with errors.Is.
type CurrencyError struct {
	// Currencies are the codes found, lowercase, sorted and distinct.
	Currencies []string
}

// Error names the currencies found.
func (e *CurrencyError) Error() string {
	return fmt.Sprintf("non-USD amounts (%s): methodology v1 counts USD only",
		strings.Join(e.Currencies, ", "))
}

// Unwrap returns ErrCurrency.
func (e *CurrencyError) Unwrap() error { return ErrCurrency }

// Names of the metrics, as methodology v1 spells them. They key
// Result.Metrics.
const (
	LLMCOGSRatio                   = "llm_cogs_ratio"
	ContributionMarginProxy        = "contribution_margin_proxy"
	InferenceCostPerPayingCustomer = "inference_cost_per_paying_customer"
	LLMSpendUSD                    = "llm_spend_usd"
	MRRGrowthRate                  = "mrr_growth_rate"
)
