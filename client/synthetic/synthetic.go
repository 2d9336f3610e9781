// Package synthetic draws plausible monthly figures for made-up AI
// companies, from a seed, so the demo and the tests have realistic
// inputs without any real company's data. It stands in for the collector
// until the collector runs against simulated providers; it is not a
// model of the market.
package synthetic

import (
	"math"
	"math/rand/v2"
)

// Company is one made-up company's metric values for a month, by metric
// name. A nil value is undefined (n/a).
type Company map[string]*float64

// Generator draws companies from a seeded source.
type Generator struct {
	rng *rand.Rand
}

// New returns a generator; the same seed gives the same companies.
func New(seed uint64) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b9))}
}

// Next draws one company. LLM spend and revenue are log-normal; the
// ratios follow from them, so the five metrics are consistent with each
// other. About one company in twenty has no paying customers yet, which
// makes the per-customer and ratio metrics n/a.
func (g *Generator) Next() Company {
	spend := g.logNormal(20000, 1.3)
	cogs := g.logNormal(0.25, 0.7)
	fees := 0.029 + 0.01*g.rng.Float64()
	growth := g.rng.NormFloat64()*0.12 + 0.04
	if growth < -0.9 {
		growth = -0.9
	}
	c := Company{"llm_spend_usd": &spend, "mrr_growth_rate": &growth}
	if g.rng.IntN(20) == 0 {
		c["llm_cogs_ratio"] = nil
		c["contribution_margin_proxy"] = nil
		c["inference_cost_per_paying_customer"] = nil
		return c
	}
	margin := 1 - cogs - fees
	customers := math.Max(1, math.Round(spend/cogs/g.logNormal(120, 0.8)))
	perCustomer := spend / customers
	c["llm_cogs_ratio"] = &cogs
	c["contribution_margin_proxy"] = &margin
	c["inference_cost_per_paying_customer"] = &perCustomer
	return c
}

func (g *Generator) logNormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*g.rng.NormFloat64())
}
