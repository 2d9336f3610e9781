package metrics

import (
	"fmt"
	"math/big"
)

// Result is what Compute derived for one period: the five metric values
// and the exact figures behind them. Money is in US dollars.
type Result struct {
	// Period is the month the figures are for.
	Period Period
	// LLMSpend is the OpenAI and Anthropic spend of the cost buckets
	// that start in Period.
	LLMSpend *big.Rat
	// AIRevenue is the net amount of AI lines allocated to Period.
	AIRevenue *big.Rat
	// TotalRevenue is AIRevenue's counterpart over every product. It
	// only weighs the AI share of fees.
	TotalRevenue *big.Rat
	// MRR and MRRPrev are the AI revenue of licensed subscription lines
	// allocated to Period and to the month before.
	MRR, MRRPrev *big.Rat
	// PaymentFees are the charge and payment fees created in Period.
	PaymentFees *big.Rat
	// AIPaymentFees is the AI share of PaymentFees.
	AIPaymentFees *big.Rat
	// ActivePayingCustomers counts the customers with a positive AI
	// revenue in Period.
	ActivePayingCustomers int
	// MatchedProducts are the AI products, sorted by id, for the
	// founder to check the choice.
	MatchedProducts []Product
	// Metrics holds the five metric values by methodology name, like
	// LLMCOGSRatio; a nil value is n/a. Each is the exact quotient
	// rounded once to the nearest float64.
	Metrics map[string]*float64
}

// ARR returns the annual recurring revenue, 12 x MRR.
func (r *Result) ARR() *big.Rat {
	return new(big.Rat).Mul(r.MRR, big.NewRat(12, 1))
}

// Compute applies methodology v1 to in for period p. It fails when p is
// not valid, when an input the rules read is malformed (ErrInput) and
// when an amount that enters a figure is not in USD (ErrCurrency). It
// does not modify in.
func Compute(in *Inputs, p Period) (*Result, error) {
	if !p.Valid() {
		return nil, fmt.Errorf("compute metrics: period %s: %w", p,
			ErrPeriod)
	}
	if in == nil {
		return nil, fmt.Errorf("compute metrics for %s: no inputs: %w", p,
			ErrInput)
	}
	ai, matched := aiProducts(in)
	if err := check(in, ai, p); err != nil {
		return nil, fmt.Errorf("compute metrics for %s: %w", p, err)
	}

	r := &Result{
		Period:                p,
		LLMSpend:              llmSpend(in.Costs, p),
		AIRevenue:             aiRevenue(in.Invoices, ai, p),
		TotalRevenue:          totalRevenue(in.Invoices, p),
		MRR:                   mrr(in.Invoices, ai, p),
		MRRPrev:               mrr(in.Invoices, ai, p.Prev()),
		PaymentFees:           paymentFees(in.BalanceTransactions, p),
		ActivePayingCustomers: activePayingCustomers(in.Invoices, ai, p),
		MatchedProducts:       matched,
	}
	r.AIPaymentFees = aiFeeShare(r.PaymentFees, r.AIRevenue, r.TotalRevenue)
	r.Metrics = r.metrics()
	return r, nil
}

// check runs the input checks, then the currency rule.
func check(in *Inputs, ai productSet, p Period) error {
	if err := validate(in); err != nil {
		return err
	}
	if cs := foreignCurrencies(in, ai, p); len(cs) > 0 {
		return &CurrencyError{Currencies: cs}
	}
	return nil
}

// metrics derives the five metric values from r's figures.
func (r *Result) metrics() map[string]*float64 {
	return map[string]*float64{
		LLMCOGSRatio:                   r.llmCOGSRatio(),
		ContributionMarginProxy:        r.contributionMarginProxy(),
		InferenceCostPerPayingCustomer: r.inferenceCostPerCustomer(),
		LLMSpendUSD:                    r.llmSpendUSD(),
		MRRGrowthRate:                  r.mrrGrowthRate(),
	}
}

// llmCOGSRatio is LLM spend / AI revenue.
func (r *Result) llmCOGSRatio() *float64 {
	return quotient(r.LLMSpend, r.AIRevenue)
}

// contributionMarginProxy is (AI revenue - LLM spend - AI fees) / AI
// revenue.
func (r *Result) contributionMarginProxy() *float64 {
	left := new(big.Rat).Sub(r.AIRevenue, r.LLMSpend)
	left.Sub(left, r.AIPaymentFees)
	return quotient(left, r.AIRevenue)
}

// inferenceCostPerCustomer is LLM spend / active paying customers.
func (r *Result) inferenceCostPerCustomer() *float64 {
	n := big.NewRat(int64(r.ActivePayingCustomers), 1)
	return quotient(r.LLMSpend, n)
}

// llmSpendUSD is LLM spend, always defined.
func (r *Result) llmSpendUSD() *float64 {
	return toFloat(r.LLMSpend)
}

// mrrGrowthRate is (MRR - MRR of the month before) / MRR of the month
// before.
func (r *Result) mrrGrowthRate() *float64 {
	growth := new(big.Rat).Sub(r.MRR, r.MRRPrev)
	return quotient(growth, r.MRRPrev)
}

// quotient returns num / den, or nil (n/a) when den is zero or
// negative: a share of nothing, or of a negative amount, means nothing.
func quotient(num, den *big.Rat) *float64 {
	if den.Sign() <= 0 {
		return nil
	}
	return toFloat(new(big.Rat).Quo(num, den))
}

// toFloat rounds q to the nearest float64, the one rounding of the rules.
func toFloat(q *big.Rat) *float64 {
	f, _ := q.Float64()
	return &f
}
