package stripe

import (
	"context"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	stripe "github.com/stripe/stripe-go/v76"

	"github.com/infermargin/infermargin/client/metrics"
)

var (
	aug1 = time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	sep1 = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	ai   = metrics.AIProducts{IDs: []string{"prod_ai_chat", "prod_gone"},
		Metadata: map[string]string{"ai": "true"}}
)

func i64(n int64) *int64 { return &n }

// at returns Aug 1 plus d days and s seconds.
func at(d, s int) time.Time {
	return aug1.AddDate(0, 0, d).Add(time.Duration(s) * time.Second)
}

// fixture is the account the tests read: what Fetch must return.
type fixture struct {
	want Data
}

func month(l metrics.Line) metrics.Line {
	l.PeriodStart, l.PeriodEnd = aug1, sep1
	return l
}

// paidLines are 25 metered AI lines: 10 embedded, 15 on a second
// page. Even lines carry amount_excluding_tax 90, odd ones null.
func paidLines() []metrics.Line {
	ls := make([]metrics.Line, 25)
	for i := range ls {
		ls[i] = month(metrics.Line{ID: fmt.Sprintf("il_p%02d", i),
			Amount: 100, Currency: "usd", ProductID: "prod_ai_chat",
			Subscription: true, Recurring: true,
			UsageType: metrics.UsageMetered})
		if i%2 == 0 {
			ls[i].AmountExcludingTax = i64(90)
		}
	}
	ls[3].DiscountAmounts = []int64{20}
	ls[24].DiscountAmounts = []int64{5, 5}
	return ls
}

func account() fixture {
	products := []metrics.Product{
		{ID: "prod_ai_chat", Metadata: map[string]string{}},
		{ID: "prod_ai_meta", Metadata: map[string]string{"ai": "true"}},
		{ID: "prod_seats", Metadata: map[string]string{"ai": "false"}},
	}
	for i := range 100 {
		products = append(products, metrics.Product{
			ID: fmt.Sprintf("prod_f%03d", i), Metadata: map[string]string{}})
	}
	invoices := []metrics.Invoice{
		{ID: "in_paid", Customer: "cus_A", Status: "paid",
			Currency: "usd", Created: at(2, 0), Lines: paidLines()},
		{ID: "in_open", Customer: "cus_B", Status: "open",
			Currency: "usd", Created: at(3, 0), Lines: []metrics.Line{
				month(metrics.Line{ID: "il_o1", Amount: 10000,
					AmountExcludingTax: i64(9000),
					DiscountAmounts:    []int64{500}, Currency: "usd",
					ProductID: "prod_ai_meta", Subscription: true,
					Recurring: true, UsageType: metrics.UsageLicensed}),
				month(metrics.Line{ID: "il_o2", Amount: 5000,
					AmountExcludingTax: i64(5000), Currency: "usd",
					ProductID: "prod_seats"}),
			}},
		{ID: "in_void", Customer: "cus_C", Status: "void",
			Currency: "usd", Created: at(4, 0), Lines: []metrics.Line{
				month(metrics.Line{ID: "il_v1", Amount: 7000,
					AmountExcludingTax: i64(7000), Currency: "usd",
					ProductID: "prod_ai_chat"})}},
	}
	for i := range 100 {
		invoices = append(invoices, metrics.Invoice{
			ID: fmt.Sprintf("in_d%03d", i), Status: "draft",
			Currency: "usd", Created: at(10, i), Lines: []metrics.Line{
				month(metrics.Line{ID: fmt.Sprintf("il_d%03d", i),
					Amount: 100, AmountExcludingTax: i64(100),
					Currency: "usd", ProductID: "prod_seats"})}})
	}
	bts := []metrics.BalanceTransaction{
		{ID: "txn_ch", Type: "charge", Currency: "usd", Fee: 320,
			Created: at(2, 1)},
		{ID: "txn_py", Type: "payment", Currency: "usd", Fee: 45,
			Created: at(3, 1)},
		{ID: "txn_re", Type: "refund", Currency: "usd", Fee: 0,
			Created: at(5, 0)},
		{ID: "txn_po", Type: "payout", Currency: "usd", Fee: 0,
			Created: at(6, 0)},
	}
	for i := range 100 {
		bts = append(bts, metrics.BalanceTransaction{
			ID: fmt.Sprintf("txn_f%03d", i), Type: "stripe_fee",
			Currency: "usd", Fee: 0, Created: at(11, i)})
	}
	return fixture{want: Data{Products: products, Invoices: invoices,
		BalanceTransactions: bts, AI: ai,
		UnknownAI: []string{"prod_gone"}}}
}

// newFake serves fx, with an invoice and a balance transaction just
// before the range and at its end, which the filter must leave out.
func newFake(fx fixture) *fake {
	f := &fake{gte: aug1.Unix(), lt: sep1.Unix(),
		fail: map[string][]reply{}}
	for i, p := range fx.want.Products {
		f.products = append(f.products,
			productJSON(p, p.ID != "prod_seats", at(0, -i).Unix()))
	}
	f.products = newest(f.products)
	for _, inv := range fx.want.Invoices {
		f.invoices = append(f.invoices, invoiceJSON(inv))
	}
	for _, t := range []time.Time{aug1.Add(-time.Second), sep1} {
		out := metrics.Invoice{ID: "in_out" + t.Format("0102"),
			Customer: "cus_A", Status: "paid", Currency: "usd",
			Created: t, Lines: []metrics.Line{month(metrics.Line{
				ID: "il_out", Amount: 1, ProductID: "prod_ai_chat"})}}
		f.invoices = append(f.invoices, invoiceJSON(out))
		f.balance = append(f.balance, balanceJSON(
			metrics.BalanceTransaction{ID: "txn_out" + t.Format("0102"),
				Type: "charge", Currency: "usd", Fee: 1, Created: t}))
	}
	f.invoices = newest(f.invoices)
	for _, b := range fx.want.BalanceTransactions {
		f.balance = append(f.balance, balanceJSON(b))
	}
	f.balance = newest(f.balance)
	return f
}

// minCalls is the fewest calls paging allows: 2 pages of 103
// products, 2 of 103 invoices, 1 for the 15 lines in_paid does not
// embed, 2 of 104 balance transactions.
const minCalls = 2 + 2 + 1 + 2

var byID = cmp.Options{
	cmpopts.SortSlices(func(a, b metrics.Product) bool {
		return a.ID < b.ID
	}),
	cmpopts.SortSlices(func(a, b metrics.Invoice) bool {
		return a.ID < b.ID
	}),
	cmpopts.SortSlices(func(a, b metrics.BalanceTransaction) bool {
		return a.ID < b.ID
	}),
}

func TestFetch(t *testing.T) {
	fx := account()
	f := newFake(fx)
	c := serve(t, f, testKey)

	got, err := c.Fetch(context.Background(), aug1, sep1, ai)
	if err != nil {
		t.Fatalf("Fetch() error = %v", err)
	}

	if diff := cmp.Diff(&fx.want, got, byID); diff != "" {
		t.Errorf("Fetch() mismatch (-want +got):\n%s", diff)
	}
	if c.Calls() != minCalls || f.calls != minCalls {
		t.Errorf("Calls() = %d, fake saw %d, want %d (%v)", c.Calls(),
			f.calls, minCalls, f.paths)
	}
	for i, h := range f.headers {
		if v := h.Get("Stripe-Version"); v != "2023-10-16" {
			t.Errorf("call %d: Stripe-Version = %q, want 2023-10-16", i, v)
		}
		if a := h.Get("Authorization"); a != "Bearer "+testKey {
			t.Errorf("call %d: Authorization = %q, want Bearer rk_...",
				i, a)
		}
	}
}

func TestAPIVersion(t *testing.T) {
	if stripe.APIVersion != APIVersion {
		t.Errorf("stripe.APIVersion = %q, want %q", stripe.APIVersion,
			APIVersion)
	}
}

func TestFetchCompute(t *testing.T) {
	c := serve(t, newFake(account()), testKey)
	d, err := c.Fetch(context.Background(), aug1, sep1, ai)
	if err != nil {
		t.Fatalf("Fetch() error = %v", err)
	}
	var in metrics.Inputs
	d.Fill(&in)

	r, err := metrics.Compute(&in, metrics.Period{Year: 2025,
		Month: time.August})
	if err != nil {
		t.Fatalf("Compute() error = %v", err)
	}

	// in_paid: 13 even lines at 90 excluding tax, 12 odd at 100 (null
	// excluding tax), less discounts 20 and 5+5: 1170+1200-30 = 2340.
	// in_open: the licensed AI line, 9000 less 500 = 8500; the seats
	// line is not AI. in_void and the drafts do not count.
	tests := []struct {
		name      string
		got, want *big.Rat
	}{
		{"AIRevenue", r.AIRevenue, big.NewRat(2340+8500, 100)},
		{"MRR", r.MRR, big.NewRat(8500, 100)},
		{"TotalRevenue", r.TotalRevenue, big.NewRat(2340+8500+5000, 100)},
		{"PaymentFees", r.PaymentFees, big.NewRat(320+45, 100)},
	}
	for _, tt := range tests {
		if tt.got.Cmp(tt.want) != 0 {
			t.Errorf("Compute().%s = %s, want %s", tt.name,
				tt.got.FloatString(2), tt.want.FloatString(2))
		}
	}
	if r.ActivePayingCustomers != 2 {
		t.Errorf("Compute().ActivePayingCustomers = %d, want 2",
			r.ActivePayingCustomers)
	}
}
