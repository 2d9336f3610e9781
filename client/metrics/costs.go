package metrics

import "math/big"

// llmSpend returns LLM spend(p) in dollars: the amounts of the cost
// buckets of either provider that start in p. A bucket starting at
// p.End() belongs to the next month, even though a daily bucket that
// ends there is still p's.
func llmSpend(costs []Cost, p Period) *big.Rat {
	sum := new(big.Rat)
	for _, c := range costs {
		if p.Contains(c.Start) {
			sum.Add(sum, c.Amount)
		}
	}
	return sum
}
