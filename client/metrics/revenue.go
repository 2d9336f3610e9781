package metrics

import (
	"math/big"
	"slices"
	"strings"
	"time"
)

// productSet holds the ids of the AI products.
type productSet map[string]bool

// aiProducts returns the AI product ids and the AI products to show the
// founder, sorted by id: every product of in.Products that in.AI
// matches, and every id in.AI lists that in.Products lacks, since a
// listed id counts whether or not its product was fetched.
func aiProducts(in *Inputs) (productSet, []Product) {
	set := productSet{}
	var matched []Product
	for _, p := range in.Products {
		if in.AI.Match(p) && !set[p.ID] {
			set[p.ID] = true
			matched = append(matched, p)
		}
	}
	for _, id := range in.AI.IDs {
		if id != "" && !set[id] {
			set[id] = true
			matched = append(matched, Product{ID: id})
		}
	}
	slices.SortStableFunc(matched, func(a, b Product) int {
		return strings.Compare(a.ID, b.ID)
	})
	return set, matched
}

// has reports whether l's price belongs to an AI product.
func (s productSet) has(l Line) bool {
	return l.ProductID != "" && s[l.ProductID]
}

// counted reports whether inv's lines count as revenue. Paid and open
// invoices are billed to the customer; void, draft and uncollectible
// ones are not revenue.
func counted(inv Invoice) bool {
	return inv.Status == "paid" || inv.Status == "open"
}

// licensed reports whether l counts toward MRR: a subscription line on
// a recurring price billed per seat or plan. Metered usage varies month
// to month, so it is revenue but not recurring revenue.
func licensed(l Line) bool {
	return l.Subscription && l.Recurring && l.UsageType == UsageLicensed
}

// netAmount returns what l earns, in minor units: the amount excluding
// tax, since tax is collected for governments, less the line's
// discounts. Stripe omits amount_excluding_tax on some API versions,
// and then the amount is all there is. The result may be negative, for
// a credit. big.Int keeps the sum exact however many discounts there are.
func netAmount(l Line) *big.Int {
	n := big.NewInt(l.Amount)
	if l.AmountExcludingTax != nil {
		n.SetInt64(*l.AmountExcludingTax)
	}
	for _, d := range l.DiscountAmounts {
		n.Sub(n, big.NewInt(d))
	}
	return n
}

// dollars converts an amount in cents to dollars, exactly.
func dollars(cents *big.Int) *big.Rat {
	return new(big.Rat).SetFrac(cents, big.NewInt(100))
}

// span is the service period [start, end) of a line in Unix seconds.
type span struct{ start, end int64 }

func spanOf(l Line) span {
	return span{l.PeriodStart.Unix(), l.PeriodEnd.Unix()}
}

// overlap returns how many seconds of s fall in p.
func overlap(s span, p Period) int64 {
	lo := max(s.start, p.Start().Unix())
	hi := min(s.end, p.End().Unix())
	return max(hi-lo, 0)
}

// touches reports whether s puts any share of a line in p: it overlaps
// p, or it has zero length and starts in p.
func touches(s span, p Period) bool {
	if s.start == s.end {
		return PeriodOf(time.Unix(s.start, 0)) == p
	}
	return overlap(s, p) > 0
}

// allocate returns the part of amount that falls in p: amount times the
// fraction of the seconds of s that lie in p. The fractions of all the
// months s touches add up to exactly 1, so the parts add up to exactly
// amount. A zero-length s has no seconds to share and falls wholly in
// the month it starts in. s must not end before it starts.
func allocate(amount *big.Rat, s span, p Period) *big.Rat {
	if !touches(s, p) {
		return new(big.Rat)
	}
	if s.start == s.end {
		return new(big.Rat).Set(amount)
	}
	// The length is taken as a big.Int: two int64 times may be further
	// apart than an int64 can count.
	length := new(big.Int).Sub(big.NewInt(s.end), big.NewInt(s.start))
	share := new(big.Rat).SetFrac(big.NewInt(overlap(s, p)), length)
	return share.Mul(share, amount)
}

// lineIn returns the net amount of l allocated to p, in dollars.
func lineIn(l Line, p Period) *big.Rat {
	return allocate(dollars(netAmount(l)), spanOf(l), p)
}

// allocated returns, in dollars, the sum of the net amounts allocated to
// p of the lines of counted invoices that keep accepts.
func allocated(invs []Invoice, p Period, keep func(Line) bool) *big.Rat {
	sum := new(big.Rat)
	for _, inv := range invs {
		if !counted(inv) {
			continue
		}
		for _, l := range inv.Lines {
			if keep(l) {
				sum.Add(sum, lineIn(l, p))
			}
		}
	}
	return sum
}

// aiRevenue returns AI revenue(p): allocated net amounts of AI lines.
func aiRevenue(invs []Invoice, ai productSet, p Period) *big.Rat {
	return allocated(invs, p, ai.has)
}

// totalRevenue returns total revenue(p): allocated net amounts of all
// lines, AI or not. It only weighs the AI share of payment fees.
func totalRevenue(invs []Invoice, p Period) *big.Rat {
	return allocated(invs, p, func(Line) bool { return true })
}

// mrr returns MRR(p): AI revenue(p) over licensed subscription lines.
// An annual plan contributes its share of seconds in p, so a 31-day
// month gets slightly more of it than a 30-day one.
func mrr(invs []Invoice, ai productSet, p Period) *big.Rat {
	return allocated(invs, p, func(l Line) bool {
		return ai.has(l) && licensed(l)
	})
}

// activePayingCustomers counts the customers whose AI revenue in p,
// summed over all their lines, is positive. Summing first means a
// customer whose coupon or credit cancels the charge is not paying.
func activePayingCustomers(invs []Invoice, ai productSet, p Period) int {
	per := map[string]*big.Rat{}
	for _, inv := range invs {
		if !counted(inv) {
			continue
		}
		for _, l := range inv.Lines {
			if !ai.has(l) {
				continue
			}
			if per[inv.Customer] == nil {
				per[inv.Customer] = new(big.Rat)
			}
			per[inv.Customer].Add(per[inv.Customer], lineIn(l, p))
		}
	}

	n := 0
	for _, sum := range per {
		if sum.Sign() > 0 {
			n++
		}
	}
	return n
}
