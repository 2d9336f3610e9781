package metrics

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// validate checks that every input the rules may read is well formed:
// a malformed one would otherwise be counted wrong or silently skipped.
func validate(in *Inputs) error {
	for i, c := range in.Costs {
		if reason := costProblem(c); reason != "" {
			return &InputError{fmt.Sprintf("cost %d", i), reason}
		}
	}
	for _, inv := range in.Invoices {
		if err := checkInvoice(inv); err != nil {
			return err
		}
	}
	for _, bt := range in.BalanceTransactions {
		if feeType(bt.Type) && bt.Currency == "" {
			return &InputError{
				fmt.Sprintf("balance transaction %q", bt.ID), "no currency"}
		}
	}
	return nil
}

// costProblem says what is wrong with c, or "" when nothing is. v1
// counts OpenAI and Anthropic only: a cost of another provider is a
// mistake upstream, not spend to drop quietly.
func costProblem(c Cost) string {
	switch {
	case c.Provider != ProviderOpenAI && c.Provider != ProviderAnthropic:
		return fmt.Sprintf("unknown provider %q", c.Provider)
	case c.Amount == nil:
		return c.Provider + " cost has no amount"
	case c.Currency == "":
		return c.Provider + " cost has no currency"
	}
	return ""
}

// checkInvoice checks the invoices that count; the others are ignored
// whatever they hold.
func checkInvoice(inv Invoice) error {
	if !counted(inv) {
		return nil
	}
	if inv.Customer == "" {
		return &InputError{fmt.Sprintf("invoice %q", inv.ID), "no customer"}
	}
	for _, l := range inv.Lines {
		item := fmt.Sprintf("invoice %q line %q", inv.ID, l.ID)
		if lineCurrency(inv, l) == "" {
			return &InputError{item, "no currency"}
		}
		if s := spanOf(l); s.end < s.start {
			return &InputError{item, "period ends before it starts"}
		}
	}
	return nil
}

// foreignCurrencies returns, lowercase and sorted, the currencies other
// than USD of the amounts that enter a figure of p or of the month
// before: cost buckets starting in p, lines of paid and open invoices,
// AI or not, with a share in p, lines counted in MRR(p-1), and charge
// and payment fees created in p. Amounts that enter no figure do not
// stop the run.
func foreignCurrencies(in *Inputs, ai productSet, p Period) []string {
	found := map[string]bool{}
	add := func(code string) {
		if !isUSD(code) {
			found[strings.ToLower(code)] = true
		}
	}

	for _, c := range in.Costs {
		if p.Contains(c.Start) {
			add(c.Currency)
		}
	}
	for _, inv := range in.Invoices {
		if !counted(inv) {
			continue
		}
		for _, l := range inv.Lines {
			if entersFigure(l, ai, p) {
				add(lineCurrency(inv, l))
			}
		}
	}
	for _, bt := range in.BalanceTransactions {
		if feeCounted(bt, p) {
			add(bt.Currency)
		}
	}
	return slices.Sorted(maps.Keys(found))
}

// entersFigure reports whether a line of a counted invoice enters a
// figure of p: total revenue(p), which every line with a share in p
// enters, or MRR of the month before.
func entersFigure(l Line, ai productSet, p Period) bool {
	s := spanOf(l)
	return touches(s, p) || ai.has(l) && licensed(l) && touches(s, p.Prev())
}

// isUSD reports whether code is US dollars. Stripe writes "usd", the
// providers "USD".
func isUSD(code string) bool { return strings.EqualFold(code, "usd") }

// lineCurrency returns l's currency, or its invoice's when it has none.
func lineCurrency(inv Invoice, l Line) string {
	if l.Currency != "" {
		return l.Currency
	}
	return inv.Currency
}
