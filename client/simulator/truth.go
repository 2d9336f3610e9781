package simulator

import (
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Names of the five metrics, as methodology v1 spells them; they key
// Truth.Metrics.
const (
	MetricLLMCOGSRatio    = "llm_cogs_ratio"
	MetricContribution    = "contribution_margin_proxy"
	MetricCostPerCustomer = "inference_cost_per_paying_customer"
	MetricLLMSpendUSD     = "llm_spend_usd"
	MetricMRRGrowthRate   = "mrr_growth_rate"
)

const (
	errPrefix               = "simulator truth"
	microsPerDollar         = 1_000_000
	centsPerDollar          = 100
	periodLayout            = "2006-01"
	statusPaid, statusOpen  = "paid", "open"
	typeCharge, typePayment = "charge", "payment"
)

// ErrCompany means Truth was asked for a company the simulator does
// not have.
var ErrCompany = errors.New("no such company")

// Truth is what the metrics of one company and month must come to.
// Money is in dollars.
type Truth struct {
	// Period is the month, YYYY-MM.
	Period string
	// LLMSpend is the OpenAI and Anthropic spend of the days of
	// Period.
	LLMSpend *big.Rat
	// AIRevenue and TotalRevenue are the net amounts of the AI lines,
	// and of all lines, of paid and open invoices allocated to Period.
	AIRevenue, TotalRevenue *big.Rat
	// MRR and MRRPrev are AIRevenue over licensed subscription lines,
	// for Period and the month before.
	MRR, MRRPrev *big.Rat
	// PaymentFees are the charge and payment fees created in Period,
	// and AIPaymentFees their share weighted by AI revenue.
	PaymentFees, AIPaymentFees *big.Rat
	// ActivePayingCustomers counts customers with positive AI revenue.
	ActivePayingCustomers int
	// Metrics holds the five values by name; nil is n/a.
	Metrics map[string]*float64
}

// Truth returns the figures and metrics of company i for period
// (YYYY-MM), counted from the simulator's own records.
//
// It is computed independently of package metrics on purpose: it reads
// the generator's records, not what the provider clients decoded, and
// applies the rules of methodology v1 with its own arithmetic (per
// second overlap of line periods with the month, the fee share, the
// quotients), so a test comparing it with the collector's result
// checks the clients, the simulator and package metrics against each
// other rather than against themselves.
func (s *Simulator) Truth(i int, period string) (*Truth, error) {
	if i < 0 || i >= len(s.companies) {
		return nil, fmt.Errorf("%s: company %d: %w", errPrefix, i,
			ErrCompany)
	}
	t0, err := time.Parse(periodLayout, period)
	if err != nil {
		return nil, fmt.Errorf("%s: period %q: want YYYY-MM", errPrefix,
			period)
	}
	c := s.companies[i]
	m := month{t0.Unix(), t0.AddDate(0, 1, 0).Unix()}
	prev := month{t0.AddDate(0, -1, 0).Unix(), m.start}

	ai := c.aiSet()
	t := &Truth{Period: period, LLMSpend: c.llmSpend(m),
		AIRevenue:             c.revenue(m, ai.has),
		TotalRevenue:          c.revenue(m, func(line) bool { return true }),
		MRR:                   c.revenue(m, ai.recurring),
		MRRPrev:               c.revenue(prev, ai.recurring),
		PaymentFees:           c.fees(m),
		ActivePayingCustomers: c.payingCustomers(m, ai.has)}
	t.AIPaymentFees = new(big.Rat)
	if t.TotalRevenue.Sign() > 0 {
		t.AIPaymentFees.Mul(t.PaymentFees, t.AIRevenue)
		t.AIPaymentFees.Quo(t.AIPaymentFees, t.TotalRevenue)
	}
	t.Metrics = t.metrics()
	return t, nil
}

// month is [start, end) in Unix seconds.
type month struct{ start, end int64 }

// aiIDs is the set of product ids the company's configuration marks as
// AI, worked out from the configuration, not from the generator's
// roles.
type aiIDs map[string]bool

func (c *company) aiSet() aiIDs {
	set := aiIDs{}
	for _, id := range c.AIProductIDs {
		set[id] = true
	}
	for _, p := range c.products {
		if len(c.AIMetadata) > 0 && hasAll(p.metadata, c.AIMetadata) {
			set[p.id] = true
		}
	}
	return set
}

func hasAll(md, want map[string]string) bool {
	for k, v := range want {
		if got, ok := md[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func (a aiIDs) has(l line) bool { return l.product != "" && a[l.product] }

// recurring is an AI licensed subscription line, what MRR counts.
func (a aiIDs) recurring(l line) bool {
	return a.has(l) && l.subscription && l.usage == "licensed"
}

// llmSpend sums the results of both providers for the days starting
// in m.
func (c *company) llmSpend(m month) *big.Rat {
	var micros big.Int
	for _, days := range []map[int64][]costResult{c.openai, c.anthropic} {
		for d, rs := range days {
			if d < m.start || d >= m.end {
				continue
			}
			for _, r := range rs {
				micros.Add(&micros, big.NewInt(r.micros))
			}
		}
	}
	return new(big.Rat).SetFrac(&micros, big.NewInt(microsPerDollar))
}

// share returns the dollars of l that fall in m: its net cents times
// the seconds of its period in m over all its seconds; a line with an
// empty period falls wholly in the month of its start.
func share(l line, m month) *big.Rat {
	net := l.exTax - sum(l.discounts)
	cents := new(big.Rat).SetFrac64(net, centsPerDollar)
	if l.end == l.start {
		if l.start >= m.start && l.start < m.end {
			return cents
		}
		return new(big.Rat)
	}
	in := min(l.end, m.end) - max(l.start, m.start)
	if in <= 0 {
		return new(big.Rat)
	}
	return cents.Mul(cents, big.NewRat(in, l.end-l.start))
}

// counts reports whether an invoice's lines are revenue.
func counts(inv *invoice) bool {
	return inv.status == statusPaid || inv.status == statusOpen
}

// revenue sums the shares in m of the lines keep accepts, over the
// invoices that count.
func (c *company) revenue(m month, keep func(line) bool) *big.Rat {
	total := new(big.Rat)
	for _, inv := range c.invoices {
		if !counts(inv) {
			continue
		}
		for _, l := range inv.lines {
			if keep(l) {
				total.Add(total, share(l, m))
			}
		}
	}
	return total
}

// payingCustomers counts customers whose AI shares in m sum above 0.
func (c *company) payingCustomers(m month, ai func(line) bool) int {
	per := map[string]*big.Rat{}
	for _, inv := range c.invoices {
		if !counts(inv) {
			continue
		}
		for _, l := range inv.lines {
			if !ai(l) {
				continue
			}
			if per[inv.customer] == nil {
				per[inv.customer] = new(big.Rat)
			}
			per[inv.customer].Add(per[inv.customer], share(l, m))
		}
	}
	n := 0
	for _, v := range per {
		if v.Sign() > 0 {
			n++
		}
	}
	return n
}

// fees sums the fees of charges and payments created in m.
func (c *company) fees(m month) *big.Rat {
	var cents int64
	for _, b := range c.balance {
		if (b.typ == typeCharge || b.typ == typePayment) &&
			b.created >= m.start && b.created < m.end {
			cents += b.fee
		}
	}
	return new(big.Rat).SetFrac64(cents, centsPerDollar)
}

// metrics derives the five values; a quotient over a denominator that
// is not positive is n/a.
func (t *Truth) metrics() map[string]*float64 {
	margin := new(big.Rat).Sub(t.AIRevenue, t.LLMSpend)
	margin.Sub(margin, t.AIPaymentFees)
	growth := new(big.Rat).Sub(t.MRR, t.MRRPrev)
	customers := big.NewRat(int64(t.ActivePayingCustomers), 1)
	spend, _ := t.LLMSpend.Float64()
	return map[string]*float64{
		MetricLLMCOGSRatio:    ratio(t.LLMSpend, t.AIRevenue),
		MetricContribution:    ratio(margin, t.AIRevenue),
		MetricCostPerCustomer: ratio(t.LLMSpend, customers),
		MetricLLMSpendUSD:     &spend,
		MetricMRRGrowthRate:   ratio(growth, t.MRRPrev),
	}
}

func ratio(num, den *big.Rat) *float64 {
	if den.Sign() <= 0 {
		return nil
	}
	f, _ := new(big.Rat).Quo(num, den).Float64()
	return &f
}
