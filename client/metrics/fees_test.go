package metrics

import (
	"math/big"
	"testing"
	"time"
)

func TestPaymentFees(t *testing.T) {
	bt := func(typ string, created time.Time, fee int64) BalanceTransaction {
		return BalanceTransaction{ID: "txn", Type: typ, Currency: "usd",
			Fee: fee, Created: created}
	}
	mid := day(2026, 11, 15)
	tests := []struct {
		name string
		bts  []BalanceTransaction
		want string
	}{
		// 870 + 300 cents = $11.70.
		{"charge and payment", []BalanceTransaction{
			bt("charge", mid, 870), bt("payment", mid, 300)}, "11.70"},
		{"other types ignored", []BalanceTransaction{
			bt("refund", mid, 50), bt("payout", mid, 25),
			bt("adjustment", mid, 1500), bt("stripe_fee", mid, 900),
			bt("charge", mid, 1)}, "0.01"},
		// Only the fee created at P.Start() counts: 100 cents.
		{"fees outside P ignored", []BalanceTransaction{
			bt("charge", nov.Start().Add(-time.Second), 400),
			bt("charge", nov.Start(), 100),
			bt("payment", nov.End(), 700)}, "1"},
		{"none", nil, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := paymentFees(tt.bts, nov)
			if got.Cmp(usd(tt.want)) != 0 {
				t.Errorf("paymentFees(...) = %s, want %s", ratString(got),
					tt.want)
			}
		})
	}
}

func TestAIFeeShare(t *testing.T) {
	tests := []struct {
		name            string
		fees, ai, total *big.Rat
		want            *big.Rat
	}{
		// 11.70 x 185 / 285 = 2164.5 / 285 = 4329/570 = 1443/190.
		{"proportional", usd("11.70"), usd("185"), usd("285"),
			big.NewRat(1443, 190)},
		{"all AI", usd("11.70"), usd("285"), usd("285"), usd("11.70")},
		{"no AI revenue", usd("11.70"), usd("0"), usd("100"), usd("0")},
		{"zero total revenue", usd("11.70"), usd("0"), usd("0"), usd("0")},
		{"negative total revenue", usd("11.70"), usd("5"), usd("-10"),
			usd("0")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := aiFeeShare(tt.fees, tt.ai, tt.total)
			if got.Cmp(tt.want) != 0 {
				t.Errorf("aiFeeShare(%s, %s, %s) = %s, want %s",
					ratString(tt.fees), ratString(tt.ai),
					ratString(tt.total), ratString(got),
					ratString(tt.want))
			}
		})
	}
}
