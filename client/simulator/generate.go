package simulator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// gen draws one company. Its random source is seeded with the seed and
// the company's index only, so company i is the same whatever n.
type gen struct {
	r          *rand.Rand
	c          *company
	i          int
	start, now time.Time
	ids        int // counter behind every object id

	// enterprise companies bill some customers per team, one line a
	// team, so invoices run past Stripe's 10 embedded lines.
	enterprise bool
	// preRevenue companies give every customer a 100% coupon.
	preRevenue bool
	// taxRate is the inclusive tax, in percent, of taxed customers.
	taxRate int64
}

// AI and other products every company sells, by role.
const (
	prodAssistant  = iota // AI, monthly or annual seats
	prodUsage             // AI, metered
	prodCredits           // AI, one-time credit packs
	prodLegacy            // AI, archived plan of the first months
	prodSupport           // not AI, monthly licensed
	prodOnboarding        // not AI, one-time
	nProducts
)

// generate draws company i; invoices, when positive, is its exact
// invoice count.
func generate(seed uint64, i int, start, now time.Time,
	invoices int) *company {
	g := &gen{r: rand.New(rand.NewPCG(seed, uint64(i)+1)), i: i,
		start: start, now: now, c: &company{}}
	g.enterprise = i%5 == 2
	g.preRevenue = i%10 == 9
	if g.r.IntN(4) == 0 {
		g.taxRate = 20
	}
	g.identity()
	g.catalog()
	n := g.customerCount()
	for k := 0; k < n || len(g.c.invoices) < invoices; k++ {
		g.subscribe(g.plan(k))
	}
	sortNewest(g.c)
	if invoices > 0 {
		g.c.invoices = g.c.invoices[:invoices]
	}
	g.charges()
	g.payouts()
	sortNewest(g.c)
	g.costs()
	return g.c
}

// id returns a fresh object id with Stripe's prefix, unique in the
// whole simulator.
func (g *gen) id(prefix string) string {
	g.ids++
	return fmt.Sprintf("%s_sim%03d%06d", prefix, g.i, g.ids)
}

// identity draws the company's keys and which LLM providers it uses:
// some use only one.
func (g *gen) identity() {
	c := g.c
	c.ID = fmt.Sprintf("sim-%03d", g.i)
	key := func(prefix string) string {
		return fmt.Sprintf("%s%03d%016x", prefix, g.i, g.r.Uint64())
	}
	c.StripeKey = key("rk_test_sim_")
	switch u := g.r.Float64(); {
	case u < 0.45:
		c.OpenAIKey = key("sk-admin-sim-")
		c.AnthropicKey = key("sk-ant-admin-sim-")
	case u < 0.75:
		c.OpenAIKey = key("sk-admin-sim-")
	default:
		c.AnthropicKey = key("sk-ant-admin-sim-")
	}
}

// catalog creates the products and the founder's choice of AI
// products: by id, by metadata, or by metadata plus the id of the
// archived plan that lacks it.
func (g *gen) catalog() {
	names := [nProducts]string{"Assistant", "API usage", "Credit pack",
		"Assistant (2024 plan)", "Priority support", "Onboarding"}
	mode := g.r.IntN(3)
	for k, name := range names {
		p := product{id: fmt.Sprintf("prod_sim%03d%02d", g.i, k),
			name: name, active: k != prodLegacy,
			created:  g.start.Unix() - int64(86400*(30+k)),
			metadata: map[string]string{"category": "services"}}
		if k < prodSupport && !(mode == 2 && k == prodLegacy) {
			p.metadata = map[string]string{"category": "ai"}
		}
		g.c.products = append(g.c.products, p)
	}
	if g.i%7 == 3 {
		g.archived(110)
	}
	c, ps := g.c, g.c.products
	switch mode {
	case 0:
		for _, p := range ps[:prodSupport] {
			c.AIProductIDs = append(c.AIProductIDs, p.id)
		}
	case 1:
		c.AIMetadata = map[string]string{"category": "ai"}
	default:
		c.AIMetadata = map[string]string{"category": "ai"}
		c.AIProductIDs = []string{ps[prodLegacy].id}
	}
}

// archived adds n archived products that are not AI, the residue of
// years of price experiments, so that listing products takes pages.
func (g *gen) archived(n int) {
	for k := range n {
		g.c.products = append(g.c.products, product{
			id:   fmt.Sprintf("prod_sim%03dx%03d", g.i, k),
			name: fmt.Sprintf("Add-on experiment %d", k), active: false,
			created:  g.start.Unix() - int64(86400*(60+k)),
			metadata: map[string]string{}})
	}
}

// customerCount draws how many customers the company has: log-normal,
// a median of 18.
func (g *gen) customerCount() int {
	n := math.Exp(math.Log(18) + 0.8*g.r.NormFloat64())
	return int(min(max(n, 2), 90))
}

// logNormal draws a log-normal value with the given median and sigma.
func (g *gen) logNormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*g.r.NormFloat64())
}

// chance reports true with probability p.
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// sortNewest sorts products, invoices and balance transactions as
// Stripe lists them: newest first, then by id, descending.
func sortNewest(c *company) {
	sortByCreated(c.products, func(p product) (int64, string) {
		return p.created, p.id
	})
	sortByCreated(c.invoices, func(v *invoice) (int64, string) {
		return v.created, v.id
	})
	sortByCreated(c.balance, func(b balanceTx) (int64, string) {
		return b.created, b.id
	})
}
