package metrics

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNetAmount(t *testing.T) {
	tests := []struct {
		name string
		l    Line
		want *big.Int
	}{
		{"amount_excluding_tax absent: amount",
			Line{Amount: 1000}, big.NewInt(1000)},
		// Tax-inclusive price: 1200 with 200 of tax, 1000 excluding.
		{"amount_excluding_tax present: it wins",
			Line{Amount: 1200, AmountExcludingTax: ptr[int64](1000)},
			big.NewInt(1000)},
		// A present zero is a value, not an absence.
		{"amount_excluding_tax present and zero",
			Line{Amount: 500, AmountExcludingTax: ptr[int64](0)},
			big.NewInt(0)},
		// 1000 - 200 - 50 = 750.
		{"discounts", Line{Amount: 1000, DiscountAmounts: []int64{200, 50}},
			big.NewInt(750)},
		// 1000 - 250 = 750: discounts come off the amount excluding tax.
		{"excluding tax and discount",
			Line{Amount: 1100, AmountExcludingTax: ptr[int64](1000),
				DiscountAmounts: []int64{250}}, big.NewInt(750)},
		// 2000 - 2000 = 0.
		{"100% off coupon",
			Line{Amount: 2000, DiscountAmounts: []int64{2000}},
			big.NewInt(0)},
		{"credit", Line{Amount: -500}, big.NewInt(-500)},
		// MinInt64 - 1 does not fit an int64 and must not wrap around.
		{"no overflow",
			Line{Amount: math.MinInt64, DiscountAmounts: []int64{1}},
			new(big.Int).Sub(big.NewInt(math.MinInt64), big.NewInt(1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := netAmount(tt.l); got.Cmp(tt.want) != 0 {
				t.Errorf("netAmount(%+v) = %v, want %v", tt.l, got, tt.want)
			}
		})
	}
}

func TestAllocate(t *testing.T) {
	// 2026-03-01 to 2027-03-01 is 365 days (no 29 February), so
	// $1460.00 is $4 a day.
	annual := span{day(2026, 3, 1).Unix(), day(2027, 3, 1).Unix()}
	// 15 November to 15 December is 30 days: 16 in November (15th to
	// 30th), 14 in December.
	mid := span{day(2026, 11, 15).Unix(), day(2026, 12, 15).Unix()}
	// 16 October to 16 November is 31 days: 16 in October, 15 in
	// November.
	credit := span{day(2026, 10, 16).Unix(), day(2026, 11, 16).Unix()}
	point := func(t time.Time) span { return span{t.Unix(), t.Unix()} }
	tests := []struct {
		name   string
		amount *big.Rat
		s      span
		p      Period
		want   *big.Rat
	}{
		// 30 days x $4.
		{"annual, November", usd("1460"), annual, nov, usd("120")},
		// 31 days x $4.
		{"annual, October", usd("1460"), annual, nov.Prev(), usd("124")},
		// 28 days x $4.
		{"annual, February 2027", usd("1460"), annual, Period{2027, 2},
			usd("112")},
		{"annual, month after", usd("1460"), annual, Period{2027, 3},
			new(big.Rat)},
		{"annual, month before", usd("1460"), annual, Period{2026, 2},
			new(big.Rat)},
		// 1000 x 30 / 365 = 6000/73, not a whole number of cents.
		{"annual, inexact", usd("1000"), annual, nov, big.NewRat(6000, 73)},
		// 30 x 16 / 30 = 16.
		{"mid-month start, November", usd("30"), mid, nov, usd("16")},
		// 30 x 14 / 30 = 14.
		{"mid-month start, December", usd("30"), mid, nov.Next(),
			usd("14")},
		// -31 x 15 / 31 = -15.
		{"credit", usd("-31"), credit, nov, usd("-15")},
		// One second of two falls in November: 1 / 2.
		{"seconds across the boundary", usd("1"),
			span{at(2026, 11, 30, 23, 59, 59).Unix(),
				day(2026, 12, 1).Unix() + 1}, nov, usd("0.5")},
		{"zero length in P", usd("7.5"), point(day(2026, 11, 15)), nov,
			usd("7.5")},
		{"zero length at P.Start()", usd("7.5"), point(nov.Start()), nov,
			usd("7.5")},
		{"zero length at P.End()", usd("7.5"), point(nov.End()), nov,
			new(big.Rat)},
		{"zero length at P.End(), next month", usd("7.5"),
			point(nov.End()), nov.Next(), usd("7.5")},
		{"ends at P.Start()", usd("31"),
			span{day(2026, 10, 1).Unix(), nov.Start().Unix()}, nov,
			new(big.Rat)},
		{"starts at P.End()", usd("31"),
			span{nov.End().Unix(), day(2027, 1, 1).Unix()}, nov,
			new(big.Rat)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := allocate(tt.amount, tt.s, tt.p)
			if got.Cmp(tt.want) != 0 {
				t.Errorf("allocate(%s, %v, %v) = %s, want %s",
					ratString(tt.amount), tt.s, tt.p, ratString(got),
					ratString(tt.want))
			}
		})
	}
}

// TestAllocateSumsToLine checks the promise that makes allocation
// exact: over the months a line touches, its parts add up to exactly
// the line, and no other month gets anything.
func TestAllocateSumsToLine(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 11))
	lo, hi := day(2020, 1, 1).Unix(), day(2030, 1, 1).Unix()
	const threeYears = 3 * 366 * 24 * 3600
	for i := range 5000 {
		s := span{start: lo + rng.Int64N(hi-lo)}
		s.end = s.start
		if rng.IntN(10) > 0 {
			s.end += rng.Int64N(threeYears) + 1
		}
		cents := big.NewInt(rng.Int64N(2e12) - 1e12)
		amount := dollars(cents)

		first := PeriodOf(time.Unix(s.start, 0))
		last := PeriodOf(time.Unix(s.end, 0))
		sum := new(big.Rat)
		for p := first; p != last.Next(); p = p.Next() {
			sum.Add(sum, allocate(amount, s, p))
		}
		if sum.Cmp(amount) != 0 {
			t.Fatalf("line %d %v: parts sum to %s, want %s", i, s,
				ratString(sum), ratString(amount))
		}
		for _, p := range []Period{first.Prev(), last.Next().Next()} {
			if got := allocate(amount, s, p); got.Sign() != 0 {
				t.Fatalf("line %d %v: allocate(..., %v) = %s, want 0",
					i, s, p, ratString(got))
			}
		}
	}
}

// TestRevenue checks AI revenue, total revenue and MRR over small sets
// of invoices, one rule at a time. November is the period.
func TestRevenue(t *testing.T) {
	var twelve []Line
	for i := range 12 {
		twelve = append(twelve, novLine(string(rune('a'+i)), "prod_chat",
			125))
	}
	tests := []struct {
		name                    string
		invs                    []Invoice
		ai, total, mrr, mrrPrev string
	}{
		{name: "paid and open count",
			// 10 + 20 = 30, all licensed.
			invs: []Invoice{
				invoice("in_1", "cus_A", "paid",
					novLine("il_1", "prod_chat", 1000)),
				invoice("in_2", "cus_B", "open",
					novLine("il_2", "prod_chat", 2000)),
			}, ai: "30", total: "30", mrr: "30", mrrPrev: "0"},
		{name: "void, draft and uncollectible ignored",
			invs: []Invoice{
				invoice("in_1", "cus_A", "void",
					novLine("il_1", "prod_chat", 99900)),
				invoice("in_2", "cus_A", "draft",
					novLine("il_2", "prod_chat", 99900)),
				invoice("in_3", "cus_A", "uncollectible",
					novLine("il_3", "prod_chat", 99900)),
			}, ai: "0", total: "0", mrr: "0", mrrPrev: "0"},
		{name: "non-AI product in total only",
			// AI 40; total 40 + 100 = 140.
			invs: []Invoice{invoice("in_1", "cus_A", "paid",
				novLine("il_1", "prod_agent", 4000),
				novLine("il_2", "prod_seats", 10000))},
			ai: "40", total: "140", mrr: "40", mrrPrev: "0"},
		{name: "line without a product is not AI",
			invs: []Invoice{invoice("in_1", "cus_A", "paid",
				oneOff("il_1", "", 500, nov.Start(), nov.Start()))},
			ai: "0", total: "5", mrr: "0", mrrPrev: "0"},
		{name: "metered in revenue, not in MRR",
			// 25 metered + 50 licensed = 75 revenue, MRR 50.
			invs: []Invoice{invoice("in_1", "cus_A", "paid",
				metered("il_1", "prod_agent", 2500, nov.Start(),
					nov.End()),
				novLine("il_2", "prod_agent", 5000))},
			ai: "75", total: "75", mrr: "50", mrrPrev: "0"},
		{name: "one-time price in revenue, not in MRR",
			invs: []Invoice{invoice("in_1", "cus_A", "paid",
				oneOff("il_1", "prod_chat", 9900, day(2026, 11, 3),
					day(2026, 11, 3)))},
			ai: "99", total: "99", mrr: "0", mrrPrev: "0"},
		{name: "more than 10 lines",
			// 12 lines x $1.25 = $15; Stripe pages lines by 10, and
			// every page counts.
			invs: []Invoice{invoice("in_1", "cus_A", "paid", twelve...)},
			ai:   "15", total: "15", mrr: "15", mrrPrev: "0"},
		{name: "annual plan straddling P",
			// $1460 over 365 days: 30 x 4 = 120 in November, 31 x 4 =
			// 124 in October.
			invs: []Invoice{invoice("in_1", "cus_A", "paid",
				sub("il_1", "prod_chat", 146000, day(2026, 3, 1),
					day(2027, 3, 1)))},
			ai: "120", total: "120", mrr: "120", mrrPrev: "124"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks := []struct {
				what string
				got  *big.Rat
				want string
			}{
				{"aiRevenue", aiRevenue(tt.invs, aiSet, nov), tt.ai},
				{"totalRevenue", totalRevenue(tt.invs, nov), tt.total},
				{"mrr", mrr(tt.invs, aiSet, nov), tt.mrr},
				{"mrr(P-1)", mrr(tt.invs, aiSet, nov.Prev()), tt.mrrPrev},
			}
			for _, c := range checks {
				if c.got.Cmp(usd(c.want)) != 0 {
					t.Errorf("%s(...) = %s, want %s", c.what,
						ratString(c.got), c.want)
				}
			}
		})
	}
}

func TestActivePayingCustomers(t *testing.T) {
	tests := []struct {
		name string
		invs []Invoice
		want int
	}{
		{"distinct customers", []Invoice{
			invoice("in_1", "cus_A", "paid", novLine("il_1", "prod_chat", 100)),
			invoice("in_2", "cus_A", "open", novLine("il_2", "prod_agent", 100)),
			invoice("in_3", "cus_B", "paid", novLine("il_3", "prod_chat", 100)),
		}, 2},
		// Net 2000 - 2000 = 0: not paying.
		{"100% off coupon", []Invoice{invoice("in_1", "cus_A", "paid",
			Line{ID: "il_1", Amount: 2000, DiscountAmounts: []int64{2000},
				Currency: "usd", PeriodStart: nov.Start(),
				PeriodEnd: nov.End(), ProductID: "prod_chat"})}, 0},
		// +10 and -10 on two invoices sum to 0.
		{"credit cancels the charge", []Invoice{
			invoice("in_1", "cus_A", "paid", novLine("il_1", "prod_chat", 1000)),
			invoice("in_2", "cus_A", "paid", novLine("il_2", "prod_chat", -1000)),
		}, 0},
		{"paid in October only", []Invoice{invoice("in_1", "cus_A", "paid",
			sub("il_1", "prod_chat", 1000, day(2026, 10, 1), nov.Start()))},
			0},
		{"non-AI only", []Invoice{invoice("in_1", "cus_A", "paid",
			novLine("il_1", "prod_seats", 1000))}, 0},
		{"void", []Invoice{invoice("in_1", "cus_A", "void",
			novLine("il_1", "prod_chat", 1000))}, 0},
		{"metered usage pays", []Invoice{invoice("in_1", "cus_A", "paid",
			metered("il_1", "prod_chat", 1, nov.Start(), nov.End()))}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := activePayingCustomers(tt.invs, aiSet, nov)
			if got != tt.want {
				t.Errorf("activePayingCustomers(...) = %d, want %d",
					got, tt.want)
			}
		})
	}
}

func TestAIProductsOfInputs(t *testing.T) {
	in := &Inputs{
		Products: []Product{
			{ID: "prod_seats", Metadata: map[string]string{"ai": "false"}},
			{ID: "prod_chat"},
			{ID: "prod_agent", Metadata: map[string]string{"ai": "true"}},
			{ID: "prod_agent", Metadata: map[string]string{"ai": "true"}},
		},
		AI: AIProducts{IDs: []string{"prod_chat", "prod_legacy"},
			Metadata: map[string]string{"ai": "true"}},
	}
	set, matched := aiProducts(in)

	// prod_legacy is listed but was not fetched: it still counts.
	want := []Product{
		{ID: "prod_agent", Metadata: map[string]string{"ai": "true"}},
		{ID: "prod_chat"},
		{ID: "prod_legacy"},
	}
	if diff := cmp.Diff(want, matched); diff != "" {
		t.Errorf("aiProducts(...) matched (-want +got):\n%s", diff)
	}
	wantSet := productSet{"prod_agent": true, "prod_chat": true,
		"prod_legacy": true}
	if diff := cmp.Diff(wantSet, set); diff != "" {
		t.Errorf("aiProducts(...) set (-want +got):\n%s", diff)
	}
}
