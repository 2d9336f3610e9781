package metrics

import "math/big"

// feeType reports whether a balance transaction of type t pays a fee
// for selling: a card charge or another payment. Refunds, payouts,
// adjustments and the like are not.
func feeType(t string) bool { return t == "charge" || t == "payment" }

// feeCounted reports whether bt's fee counts in p.
func feeCounted(bt BalanceTransaction, p Period) bool {
	return feeType(bt.Type) && p.Contains(bt.Created)
}

// paymentFees returns payment fees(p) in dollars.
func paymentFees(bts []BalanceTransaction, p Period) *big.Rat {
	cents := new(big.Int)
	for _, bt := range bts {
		if feeCounted(bt, p) {
			cents.Add(cents, big.NewInt(bt.Fee))
		}
	}
	return dollars(cents)
}

// aiFeeShare returns the AI share of the fees: fees x ai / total. Stripe
// does not tell which product a fee paid for, so fees are split in
// proportion to revenue. With no positive total there is nothing to
// split by, and the share is 0.
func aiFeeShare(fees, ai, total *big.Rat) *big.Rat {
	if total.Sign() <= 0 {
		return new(big.Rat)
	}
	s := new(big.Rat).Mul(fees, ai)
	return s.Quo(s, total)
}
