package metrics

import (
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/infermargin/infermargin/methodology"
)

// fixture is a company's November 2026, worked out by hand below.
func fixture() *Inputs {
	plan := sub("il_plan", "prod_agent", 5500, nov.Start(), nov.End())
	plan.AmountExcludingTax = ptr[int64](5000)
	plan.DiscountAmounts = []int64{1000}
	prev := sub("il_prev", "prod_agent", 5000, day(2026, 10, 1),
		nov.Start())
	prev.DiscountAmounts = []int64{1000}
	annual := sub("il_annual", "prod_chat", 146000, day(2026, 3, 1),
		day(2027, 3, 1))
	annual.AmountExcludingTax = ptr[int64](146000)
	free := novLine("il_free", "prod_chat", 2000)
	free.DiscountAmounts = []int64{2000}

	return &Inputs{
		Costs: []Cost{
			{ProviderOpenAI, day(2026, 11, 3), usd("50.25"), "usd"},
			{ProviderAnthropic, day(2026, 11, 30), usd("20"), "USD"},
			{ProviderOpenAI, nov.End(), usd("999"), "usd"},
			{ProviderAnthropic, day(2026, 10, 31), usd("7"), "USD"},
		},
		Products: []Product{
			{ID: "prod_chat"},
			{ID: "prod_agent",
				Metadata: map[string]string{"ai": "true", "tier": "pro"}},
			{ID: "prod_seats", Metadata: map[string]string{"ai": "false"}},
		},
		AI: AIProducts{IDs: []string{"prod_chat"},
			Metadata: map[string]string{"ai": "true"}},
		Invoices: []Invoice{
			invoice("in_annual", "cus_A", "paid", annual),
			invoice("in_nov_b", "cus_B", "open", plan,
				metered("il_usage", "prod_agent", 2500, nov.Start(),
					nov.End())),
			invoice("in_oct_b", "cus_B", "paid", prev),
			invoice("in_coupon", "cus_C", "paid", free),
			invoice("in_void", "cus_D", "void",
				novLine("il_void", "prod_chat", 99900)),
			invoice("in_seats", "cus_D", "paid",
				novLine("il_seats", "prod_seats", 10000)),
		},
		BalanceTransactions: []BalanceTransaction{
			{"txn_1", "charge", "usd", 870, day(2026, 11, 5)},
			{"txn_2", "payment", "usd", 300, day(2026, 11, 20)},
			{"txn_3", "refund", "usd", 50, day(2026, 11, 21)},
			{"txn_4", "charge", "usd", 400, day(2026, 10, 30)},
		},
	}
}

// q returns the float64 nearest a/b, as Compute rounds.
func q(a, b int64) *float64 {
	f, _ := big.NewRat(a, b).Float64()
	return &f
}

// figures are Result's exact figures, written as decimals or fractions.
type figures struct {
	llmSpend, aiRevenue, total, mrr, mrrPrev, fees, aiFees string
	customers                                              int
}

func checkFigures(t *testing.T, r *Result, want figures) {
	t.Helper()
	rats := []struct {
		name string
		got  *big.Rat
		want string
	}{
		{"LLMSpend", r.LLMSpend, want.llmSpend},
		{"AIRevenue", r.AIRevenue, want.aiRevenue},
		{"TotalRevenue", r.TotalRevenue, want.total},
		{"MRR", r.MRR, want.mrr},
		{"MRRPrev", r.MRRPrev, want.mrrPrev},
		{"PaymentFees", r.PaymentFees, want.fees},
		{"AIPaymentFees", r.AIPaymentFees, want.aiFees},
	}
	for _, f := range rats {
		if f.got.Cmp(usd(f.want)) != 0 {
			t.Errorf("Compute(...).%s = %s, want %s", f.name,
				ratString(f.got), f.want)
		}
	}
	if r.ActivePayingCustomers != want.customers {
		t.Errorf("Compute(...).ActivePayingCustomers = %d, want %d",
			r.ActivePayingCustomers, want.customers)
	}
}

func TestComputeFixture(t *testing.T) {
	r, err := Compute(fixture(), nov)
	if err != nil {
		t.Fatalf("Compute(fixture, %v) error: %v", nov, err)
	}

	// AI revenue(Nov):
	//   il_annual $1460 over 365 days = $4/day, 30 days      120
	//   il_plan   5000 excluding tax - 1000 discount         40
	//   il_usage  metered, all November                      25
	//   il_free   2000 - 2000 (100% off)                      0
	//   in_void   void, ignored                               0
	//   = 185; il_seats (prod_seats, not AI) adds 100 to total: 285.
	// MRR(Nov) = 120 + 40 = 160 (metered excluded).
	// MRR(Oct) = 31 x 4 + (5000 - 1000) / 100 = 124 + 40 = 164.
	// LLM spend = 50.25 + 20 = 70.25 (buckets at 1 Dec, 31 Oct out).
	// Fees = 870 + 300 cents = 11.70 (refund and October charge out).
	// AI share of fees = 11.70 x 185 / 285 = 1443/190.
	// Active paying: cus_A (120), cus_B (65); cus_C nets 0: 2.
	checkFigures(t, r, figures{
		llmSpend: "70.25", aiRevenue: "185", total: "285",
		mrr: "160", mrrPrev: "164", fees: "11.70", aiFees: "1443/190",
		customers: 2,
	})
	if got := r.ARR(); got.Cmp(usd("1920")) != 0 {
		t.Errorf("Compute(...).ARR() = %s, want 1920 (12 x 160)",
			ratString(got))
	}

	// llm_cogs_ratio = 70.25 / 185 = 281/740.
	// contribution_margin_proxy = (185 - 281/4 - 1443/190) / 185
	//   = (70300 - 26695 - 2886) / 380 / 185 = 40719/70300.
	// inference_cost_per_paying_customer = 70.25 / 2 = 281/8.
	// mrr_growth_rate = (160 - 164) / 164 = -1/41.
	want := map[string]*float64{
		LLMCOGSRatio:                   q(281, 740),
		ContributionMarginProxy:        q(40719, 70300),
		InferenceCostPerPayingCustomer: q(281, 8),
		LLMSpendUSD:                    q(281, 4),
		MRRGrowthRate:                  q(-1, 41),
	}
	if diff := cmp.Diff(want, r.Metrics); diff != "" {
		t.Errorf("Compute(...).Metrics (-want +got):\n%s", diff)
	}

	wantProducts := []Product{
		{ID: "prod_agent",
			Metadata: map[string]string{"ai": "true", "tier": "pro"}},
		{ID: "prod_chat"},
	}
	if diff := cmp.Diff(wantProducts, r.MatchedProducts); diff != "" {
		t.Errorf("Compute(...).MatchedProducts (-want +got):\n%s", diff)
	}
}

// TestComputeNA covers each metric's undefined case and the edges next
// to it, where a value of 0 is defined.
func TestComputeNA(t *testing.T) {
	spend := []Cost{{ProviderOpenAI, day(2026, 11, 3), usd("30"), "usd"}}
	chat := AIProducts{IDs: []string{"prod_chat"}}
	free := novLine("il_free", "prod_chat", 2000)
	free.DiscountAmounts = []int64{2000}
	tests := []struct {
		name string
		in   Inputs
		want map[string]*float64
	}{
		// AI revenue 0, so both ratios are n/a; no customer; no MRR in
		// October. Spend alone is defined: 30.
		{"zero AI revenue", Inputs{Costs: spend, AI: chat,
			Invoices: []Invoice{invoice("in_1", "cus_A", "paid",
				novLine("il_1", "prod_seats", 10000))},
		}, map[string]*float64{
			LLMCOGSRatio: nil, ContributionMarginProxy: nil,
			InferenceCostPerPayingCustomer: nil, LLMSpendUSD: q(30, 1),
			MRRGrowthRate: nil}},
		// A 100% coupon: revenue 0 and no paying customer.
		{"zero customers", Inputs{Costs: spend, AI: chat,
			Invoices: []Invoice{invoice("in_1", "cus_A", "paid", free)},
		}, map[string]*float64{
			LLMCOGSRatio: nil, ContributionMarginProxy: nil,
			InferenceCostPerPayingCustomer: nil, LLMSpendUSD: q(30, 1),
			MRRGrowthRate: nil}},
		// A credit alone: AI revenue -10 is a negative denominator.
		{"negative AI revenue", Inputs{Costs: spend, AI: chat,
			Invoices: []Invoice{invoice("in_1", "cus_A", "paid",
				novLine("il_1", "prod_chat", -1000))},
		}, map[string]*float64{
			LLMCOGSRatio: nil, ContributionMarginProxy: nil,
			InferenceCostPerPayingCustomer: nil, LLMSpendUSD: q(30, 1),
			MRRGrowthRate: nil}},
		// MRR(Oct) = 0: growth n/a. No spend, no fees: cogs 0 / 40 = 0,
		// margin 40 / 40 = 1, cost per customer 0 / 1 = 0.
		{"zero MRR(P-1)", Inputs{AI: chat,
			Invoices: []Invoice{invoice("in_1", "cus_A", "paid",
				novLine("il_1", "prod_chat", 4000))},
		}, map[string]*float64{
			LLMCOGSRatio: q(0, 1), ContributionMarginProxy: q(1, 1),
			InferenceCostPerPayingCustomer: q(0, 1), LLMSpendUSD: q(0, 1),
			MRRGrowthRate: nil}},
		// MRR(Oct) = 40, MRR(Nov) = 0: growth (0 - 40) / 40 = -1.
		{"churned", Inputs{AI: chat,
			Invoices: []Invoice{invoice("in_1", "cus_A", "paid",
				sub("il_1", "prod_chat", 4000, day(2026, 10, 1),
					nov.Start()))},
		}, map[string]*float64{
			LLMCOGSRatio: nil, ContributionMarginProxy: nil,
			InferenceCostPerPayingCustomer: nil, LLMSpendUSD: q(0, 1),
			MRRGrowthRate: q(-1, 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compute(&tt.in, nov)
			if err != nil {
				t.Fatalf("Compute(...) error: %v", err)
			}
			if diff := cmp.Diff(tt.want, r.Metrics); diff != "" {
				t.Errorf("Compute(...).Metrics (-want +got):\n%s", diff)
			}
		})
	}
}

// TestComputeFeeShare checks that a non-AI product, though outside AI
// revenue, lowers the AI share of fees and so raises the margin.
func TestComputeFeeShare(t *testing.T) {
	fee := BalanceTransaction{"txn_1", "charge", "usd", 1000,
		day(2026, 11, 5)}
	ai := novLine("il_ai", "prod_chat", 10000)
	seats := novLine("il_seats", "prod_seats", 30000)
	tests := []struct {
		name   string
		lines  []Line
		aiFees string
		margin *float64
	}{
		// All revenue is AI: the AI share is all $10; (100 - 10) / 100.
		{"AI only", []Line{ai}, "10", q(9, 10)},
		// AI 100 of 400: 10 x 100 / 400 = 2.5; (100 - 2.5) / 100.
		{"with non-AI", []Line{ai, seats}, "2.5", q(39, 40)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &Inputs{AI: AIProducts{IDs: []string{"prod_chat"}},
				Invoices: []Invoice{invoice("in_1", "cus_A", "paid",
					tt.lines...)},
				BalanceTransactions: []BalanceTransaction{fee}}
			r, err := Compute(in, nov)
			if err != nil {
				t.Fatalf("Compute(...) error: %v", err)
			}
			if r.AIPaymentFees.Cmp(usd(tt.aiFees)) != 0 {
				t.Errorf("Compute(...).AIPaymentFees = %s, want %s",
					ratString(r.AIPaymentFees), tt.aiFees)
			}
			got := r.Metrics[ContributionMarginProxy]
			if diff := cmp.Diff(tt.margin, got); diff != "" {
				t.Errorf("Compute(...).Metrics[%s] (-want +got):\n%s",
					ContributionMarginProxy, diff)
			}
		})
	}
}

func TestComputeErrors(t *testing.T) {
	eur := fixture()
	eur.Invoices[1].Lines[0].Currency = "EUR"
	eur.Invoices[5].Currency = "gbp"
	eur.Invoices[5].Lines[0].Currency = ""
	eurCost := fixture()
	eurCost.Costs[0].Currency = "eur"
	bad := fixture()
	bad.Invoices[0].Lines[0].PeriodEnd = day(2020, 1, 1)
	tests := []struct {
		name string
		in   *Inputs
		p    Period
		is   error
		want string
	}{
		{"non-USD AI and non-AI lines", eur, nov, ErrCurrency,
			"compute metrics for 2026-11: non-USD amounts (eur, gbp): " +
				"methodology v1 counts USD only"},
		{"non-USD cost", eurCost, nov, ErrCurrency,
			"compute metrics for 2026-11: non-USD amounts (eur): " +
				"methodology v1 counts USD only"},
		{"malformed line", bad, nov, ErrInput,
			`compute metrics for 2026-11: invoice "in_annual" line ` +
				`"il_annual": period ends before it starts`},
		{"no inputs", nil, nov, ErrInput,
			"compute metrics for 2026-11: no inputs: invalid input"},
		{"zero period", fixture(), Period{}, ErrPeriod,
			"compute metrics: period 0000-00: invalid period"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compute(tt.in, tt.p)
			if r != nil || !errors.Is(err, tt.is) {
				t.Fatalf("Compute(...) = %v, %v, want nil, %v", r, err,
					tt.is)
			}
			if err.Error() != tt.want {
				t.Errorf("Compute(...) error = %q, want %q", err, tt.want)
			}
		})
	}

	// The currency error must stay usable as a value, not only text.
	_, err := Compute(eur, nov)
	var ce *CurrencyError
	if !errors.As(err, &ce) ||
		!slices.Equal(ce.Currencies, []string{"eur", "gbp"}) {
		t.Errorf("Compute(...) error = %v, want a CurrencyError "+
			"naming eur, gbp", err)
	}
}

// TestErrorsHoldNoAmounts checks that failing runs name ids and
// currencies, never the secret amounts of the inputs.
func TestErrorsHoldNoAmounts(t *testing.T) {
	secret := int64(987654321)
	in := func() *Inputs {
		return &Inputs{
			Costs: []Cost{{ProviderOpenAI, day(2026, 11, 3),
				big.NewRat(secret, 100), "usd"}},
			Invoices: []Invoice{invoice("in_1", "cus_A", "paid",
				novLine("il_1", "prod_chat", secret))},
			BalanceTransactions: []BalanceTransaction{{"txn_1", "charge",
				"usd", secret, day(2026, 11, 5)}},
		}
	}
	edits := []func(*Inputs){
		func(in *Inputs) { in.Costs[0].Currency = "eur" },
		func(in *Inputs) { in.Costs[0].Provider = "other" },
		func(in *Inputs) { in.Invoices[0].Lines[0].Currency = "eur" },
		func(in *Inputs) { in.Invoices[0].Lines[0].PeriodEnd = day(2020, 1, 1) },
		func(in *Inputs) { in.Invoices[0].Customer = "" },
		func(in *Inputs) { in.BalanceTransactions[0].Currency = "eur" },
		func(in *Inputs) { in.BalanceTransactions[0].Currency = "" },
	}
	for i, edit := range edits {
		x := in()
		edit(x)
		_, err := Compute(x, nov)
		if err == nil {
			t.Fatalf("edit %d: Compute(...) error = nil, want one", i)
		}
		for _, s := range []string{"987654321", "9876543.21", "98765"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("edit %d: Compute(...) error = %q, holds %s",
					i, err, s)
			}
		}
	}
}

func TestComputeLeavesInputs(t *testing.T) {
	in := fixture()
	if _, err := Compute(in, nov); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fixture(), in, ratCmp); diff != "" {
		t.Errorf("Compute(...) changed its inputs (-before +after):\n%s",
			diff)
	}
}

// TestMetricNamesMatchMethodology keeps the metric names here and in
// methodology v1 the same, and checks the fixture's values bucket.
func TestMetricNamesMatchMethodology(t *testing.T) {
	m, err := methodology.Load("v1")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Compute(fixture(), nov)
	if err != nil {
		t.Fatal(err)
	}

	var got []string
	for name := range r.Metrics {
		got = append(got, name)
	}
	want := m.MetricNames()
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Compute(...).Metrics keys (-methodology +got):\n%s", diff)
	}
	for _, mt := range m.Metrics {
		if _, err := mt.BucketOf(r.Metrics[mt.Name]); err != nil {
			t.Errorf("BucketOf(%s) error: %v", mt.Name, err)
		}
	}
}
