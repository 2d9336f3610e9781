package simulator

import (
	"cmp"
	"slices"
	"time"
)

// plan is one customer's subscription as the generator draws it.
type plan struct {
	customer, sub string
	start         time.Time // when the subscription starts
	annual        bool
	unit          int64 // cents per seat and month
	seats, teams  int
	trialDays     int
	// couponPct is taken off couponCycles cycles, or every cycle when
	// couponCycles is zero.
	couponPct, couponCycles int64
	metered, support        bool
	legacy                  bool // first cycles on the archived plan
	taxed                   bool
	cancel                  time.Time // zero: never cancelled
	pastDue                 bool      // the last invoices stay open
}

var units = []int64{2900, 4900, 9900, 19900, 49900, 99900}

// plan draws customer k's subscription.
func (g *gen) plan(k int) plan {
	span := g.now.Sub(g.start)
	p := plan{customer: g.id("cus"), sub: g.id("sub"),
		start:  g.start.Add(time.Duration(g.r.Int64N(int64(span)))),
		annual: g.chance(0.2), unit: units[g.r.IntN(len(units))],
		seats: 1 + g.r.IntN(5), teams: 1, metered: g.chance(0.3),
		support: g.chance(0.25), legacy: g.chance(0.15),
		taxed: g.taxRate > 0 && g.chance(0.5), pastDue: g.chance(0.08)}
	if g.chance(0.4) {
		// Customers from before the history: on board from day one.
		p.start = g.start.Add(time.Duration(g.r.IntN(86400*20)) *
			time.Second)
	}
	p.start = p.start.Truncate(time.Second)
	if g.chance(0.2) {
		p.trialDays = 14
	}
	g.coupon(&p)
	if g.enterprise && g.chance(0.3) {
		p.teams = 6 + g.r.IntN(11)
	}
	if g.chance(0.2) {
		p.cancel = p.start.Add(time.Duration(g.r.Int64N(int64(span))))
	}
	return p
}

// coupon draws a discount: some 100%-off, and all of them for a
// pre-revenue company.
func (g *gen) coupon(p *plan) {
	switch {
	case g.preRevenue:
		p.couponPct, p.metered = 100, false
	case g.chance(0.15):
		p.couponPct = []int64{20, 50, 100}[g.r.IntN(3)]
		p.couponCycles = []int64{0, 1, 3}[g.r.IntN(3)]
	}
}

// subscribe bills p cycle by cycle, from a trial to its cancellation or
// now.
func (g *gen) subscribe(p plan) {
	t := p.start
	if p.trialDays > 0 {
		end := t.AddDate(0, 0, p.trialDays)
		g.issue(p, t, []line{g.licensed(p, prodAssistant, t, end, 0)})
		t = end
	}
	var prev time.Time
	for n := int64(0); t.Before(g.now); n++ {
		if !p.cancel.IsZero() && !t.Before(p.cancel) {
			return
		}
		end := t.AddDate(0, 1, 0)
		if p.annual {
			end = t.AddDate(1, 0, 0)
		}
		g.issue(p, t, g.cycle(p, n, prev, t, end))
		prev, t = t, end
	}
}

// cycle returns the lines of the invoice for cycle n, [t, end). prev
// is the previous cycle's start, zero for the first: metered usage is
// billed in arrears.
func (g *gen) cycle(p plan, n int64, prev, t, end time.Time) []line {
	prod := prodAssistant
	if p.legacy && n < 3 {
		prod = prodLegacy
	}
	price := p.unit * int64(p.seats)
	if p.annual {
		price *= 10
	}
	var ls []line
	for range p.teams {
		l := g.licensed(p, prod, t, end, price)
		if p.couponPct > 0 && (p.couponCycles == 0 || n < p.couponCycles) {
			l.discounts = []int64{l.amount * p.couponPct / 100}
		}
		ls = append(ls, l)
	}
	if p.support {
		ls = append(ls, g.licensed(p, prodSupport, t, end, 4900))
	}
	if p.metered && !prev.IsZero() {
		l := g.licensed(p, prodUsage, prev, t,
			int64(g.logNormal(float64(price)/2, 0.6)))
		l.usage, l.desc = "metered", "API usage"
		ls = append(ls, l)
	}
	return append(ls, g.extras(p, t)...)
}

// extras returns the one-off lines of an invoice issued at t: credit
// packs, onboarding fees and credits without a price. Their period is
// the instant they were added.
func (g *gen) extras(p plan, t time.Time) []line {
	if g.preRevenue {
		return nil
	}
	var ls []line
	add := func(prod int, amount int64) {
		l := line{id: g.id("il"), amount: amount, exTax: amount,
			start: t.Unix(), end: t.Unix(), desc: "one-off"}
		if prod >= 0 {
			l.product = g.c.products[prod].id
		}
		ls = append(ls, g.tax(p, l))
	}
	if g.chance(0.08) {
		add(prodCredits, 1000*(1+g.r.Int64N(20)))
	}
	if g.chance(0.03) {
		add(prodOnboarding, 50000)
	}
	if g.chance(0.02) {
		add(-1, -500*(1+g.r.Int64N(10)))
	}
	return ls
}

// licensed returns a subscription line on a recurring licensed price
// of product prod for [t, end).
func (g *gen) licensed(p plan, prod int, t, end time.Time,
	amount int64) line {
	interval := "month"
	if p.annual {
		interval = "year"
	}
	return g.tax(p, line{id: g.id("il"), amount: amount, exTax: amount,
		start: t.Unix(), end: end.Unix(),
		product: g.c.products[prod].id, subscription: true,
		usage: "licensed", interval: interval,
		desc: g.c.products[prod].name})
}

// tax takes the inclusive tax of a taxed customer out of exTax.
func (g *gen) tax(p plan, l line) line {
	if p.taxed {
		l.exTax = l.amount * 100 / (100 + g.taxRate)
	}
	return l
}

// issue adds the invoice of lines issued at t, unless it would be
// created after now. Its status follows the plan: draft while being
// finalized, open when past due, now and then void or open.
func (g *gen) issue(p plan, t time.Time, lines []line) {
	created := t.Unix() + g.r.Int64N(3600)
	if created >= g.now.Unix() {
		return
	}
	inv := &invoice{id: g.id("in"), customer: p.customer,
		subscription: p.sub, created: created, lines: lines,
		status: "paid"}
	age := g.now.Unix() - created
	switch {
	case age < 3600:
		inv.status = "draft"
	case p.pastDue && age < 62*86400:
		inv.status = "open"
	case g.chance(0.02):
		inv.status = "void"
	case age < 45*86400 && g.chance(0.04):
		inv.status = "open"
	}
	g.c.invoices = append(g.c.invoices, inv)
}

// sortByCreated sorts s newest first, ties by id descending.
func sortByCreated[T any](s []T, key func(T) (int64, string)) {
	slices.SortStableFunc(s, func(a, b T) int {
		ca, ia := key(a)
		cb, ib := key(b)
		if c := cmp.Compare(cb, ca); c != 0 {
			return c
		}
		return cmp.Compare(ib, ia)
	})
}
