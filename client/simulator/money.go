package simulator

import (
	"time"
)

// charges adds a balance transaction for every paid invoice that asks
// for money: a card charge with 2.9% + 30c, or now and then a bank
// payment with 0.8% capped at $5; a few are refunded later.
func (g *gen) charges() {
	last := g.now.Unix() - 1
	for _, inv := range g.c.invoices {
		due := amountDue(inv)
		if inv.status != "paid" || due <= 0 {
			continue
		}
		bt := balanceTx{id: g.id("txn"), typ: "charge", amount: due,
			fee:     (due*29+500)/1000 + 30,
			created: min(inv.created+60+g.r.Int64N(7200), last)}
		if g.chance(0.1) {
			bt.typ, bt.fee = "payment", min((due*8+500)/1000, 500)
		}
		g.c.balance = append(g.c.balance, bt)
		if g.chance(0.03) {
			g.refund(bt)
		}
	}
}

// amountDue is what inv asks the customer for, tax included.
func amountDue(inv *invoice) int64 {
	var due int64
	for _, l := range inv.lines {
		due += l.amount
		for _, d := range l.discounts {
			due -= d
		}
	}
	return due
}

// refund adds the refund of bt, some days later, unless that is after
// now. Stripe keeps the fee of a refunded charge.
func (g *gen) refund(bt balanceTx) {
	at := bt.created + 86400*(1+g.r.Int64N(20))
	if at >= g.now.Unix() {
		return
	}
	g.c.balance = append(g.c.balance, balanceTx{id: g.id("txn"),
		typ: "refund", amount: -bt.amount, created: at})
}

// payouts adds a weekly payout of the week's net and a monthly Stripe
// Billing fee, neither of which is a payment fee.
func (g *gen) payouts() {
	net := map[int64]int64{} // by week
	week := int64(7 * 86400)
	for _, bt := range g.c.balance {
		net[(bt.created-g.start.Unix())/week] += bt.amount - bt.fee
	}
	for w := int64(0); ; w++ {
		at := g.start.Unix() + (w+1)*week + 3600
		if at >= g.now.Unix() {
			break
		}
		if net[w] > 0 {
			g.c.balance = append(g.c.balance, balanceTx{id: g.id("txn"),
				typ: "payout", amount: -net[w], created: at})
		}
	}
	for m := g.start.AddDate(0, 1, 0); m.Before(g.now); m = m.AddDate(0,
		1, 0) {
		g.c.balance = append(g.c.balance, balanceTx{id: g.id("txn"),
			typ: "stripe_fee", amount: -(500 + g.r.Int64N(5000)),
			created: m.Unix() + 7200})
	}
}

// costs draws the daily LLM spend: a share of the month's AI billings
// set by the company's COGS ratio, lower at weekends, with empty days,
// split between the providers the company uses.
func (g *gen) costs() {
	c := g.c
	c.openai, c.anthropic = map[int64][]costResult{}, map[int64][]costResult{}
	ratio := min(max(g.logNormal(0.25, 0.6), 0.02), 2)
	share := 1.0
	switch {
	case c.OpenAIKey == "":
		share = 0
	case c.AnthropicKey != "":
		share = 0.2 + 0.6*g.r.Float64()
	}
	billed := g.aiBilledByMonth()
	first := g.firstSale().AddDate(0, 0, -30)
	for d := g.start; !d.Add(24 * time.Hour).After(g.now); d = d.AddDate(0,
		0, 1) {
		if d.Before(first) || g.chance(0.05) {
			continue
		}
		micros := g.dayMicros(billed[monthStart(d).Unix()], ratio, d)
		oa := int64(float64(micros) * share)
		g.spend(c.openai, d, oa, openAIItems)
		g.spend(c.anthropic, d, micros-oa, anthropicModels)
	}
}

// dayMicros draws one day's spend in millionths of a dollar from the
// month's AI billings in cents; a month without billings still pays
// for some prototyping.
func (g *gen) dayMicros(billed int64, ratio float64, d time.Time) int64 {
	base := 5e6
	if billed > 0 {
		base = ratio * float64(billed) * 1e4 / 30
	}
	v := g.logNormal(base, 0.35)
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		v *= 0.6
	}
	return int64(v)
}

var (
	openAIItems = []string{"gpt-4o-2024-08-06, input",
		"gpt-4o-2024-08-06, output", "text-embedding-3-small, input"}
	anthropicModels = []string{"claude-sonnet-4-20250514",
		"claude-3-5-haiku-20241022", "claude-opus-4-20250514"}
)

// spend splits micros into one to three results of day d.
func (g *gen) spend(days map[int64][]costResult, d time.Time,
	micros int64, labels []string) {
	if micros <= 0 {
		return
	}
	n := 1 + g.r.IntN(len(labels))
	asString := g.r.IntN(2) == 0
	left := micros
	for k := range n {
		part := left
		if k < n-1 {
			part = int64(float64(left) * (0.3 + 0.4*g.r.Float64()))
		}
		left -= part
		days[d.Unix()] = append(days[d.Unix()], costResult{
			micros: part, label: labels[k], asString: asString})
	}
}

// aiBilledByMonth sums the AI lines of paid invoices, net of
// discounts, by the month they were created in. It only scales the
// costs; it is no figure of the rules.
func (g *gen) aiBilledByMonth() map[int64]int64 {
	out := map[int64]int64{}
	for _, inv := range g.c.invoices {
		m := monthStart(time.Unix(inv.created, 0).UTC()).Unix()
		for _, l := range inv.lines {
			if l.product != "" && g.isAI(l.product) {
				out[m] += l.exTax - sum(l.discounts)
			}
		}
	}
	return out
}

// firstSale returns when the first invoice was created, or now.
func (g *gen) firstSale() time.Time {
	if n := len(g.c.invoices); n > 0 {
		return time.Unix(g.c.invoices[n-1].created, 0).UTC()
	}
	return g.now
}

// isAI reports whether the generator made product id an AI product.
func (g *gen) isAI(id string) bool {
	for k, p := range g.c.products {
		if p.id == id {
			return k < prodSupport
		}
	}
	return false
}

func sum(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}
