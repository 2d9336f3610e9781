package metrics

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	good := func() *Inputs {
		return &Inputs{
			Costs: []Cost{{Provider: ProviderOpenAI,
				Start: day(2026, 11, 2), Amount: usd("1"), Currency: "usd"}},
			Invoices: []Invoice{invoice("in_1", "cus_A", "paid",
				novLine("il_1", "prod_chat", 100))},
			BalanceTransactions: []BalanceTransaction{{ID: "txn_1",
				Type: "charge", Currency: "usd", Fee: 3,
				Created: day(2026, 11, 2)}},
		}
	}
	tests := []struct {
		name string
		edit func(in *Inputs)
		want string // "" for no error
	}{
		{"good", func(*Inputs) {}, ""},
		{"unknown provider", func(in *Inputs) {
			in.Costs[0].Provider = "gemini"
		}, `cost 0: unknown provider "gemini"`},
		{"cost without amount", func(in *Inputs) {
			in.Costs[0].Amount = nil
		}, "cost 0: openai cost has no amount"},
		{"cost without currency", func(in *Inputs) {
			in.Costs[0].Currency = ""
		}, "cost 0: openai cost has no currency"},
		{"paid invoice without customer", func(in *Inputs) {
			in.Invoices[0].Customer = ""
		}, `invoice "in_1": no customer`},
		{"void invoice is not read", func(in *Inputs) {
			in.Invoices[0].Status = "void"
			in.Invoices[0].Customer = ""
			in.Invoices[0].Lines[0].PeriodEnd = day(2020, 1, 1)
		}, ""},
		{"line currency from the invoice", func(in *Inputs) {
			in.Invoices[0].Lines[0].Currency = ""
		}, ""},
		{"line without any currency", func(in *Inputs) {
			in.Invoices[0].Lines[0].Currency = ""
			in.Invoices[0].Currency = ""
		}, `invoice "in_1" line "il_1": no currency`},
		{"period ends before it starts", func(in *Inputs) {
			in.Invoices[0].Lines[0].PeriodEnd = day(2026, 10, 31)
		}, `invoice "in_1" line "il_1": period ends before it starts`},
		{"fee without currency", func(in *Inputs) {
			in.BalanceTransactions[0].Currency = ""
		}, `balance transaction "txn_1": no currency`},
		{"refund is not read", func(in *Inputs) {
			in.BalanceTransactions[0].Type = "refund"
			in.BalanceTransactions[0].Currency = ""
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good()
			tt.edit(in)
			err := validate(in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("validate(...) = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInput) || err.Error() != tt.want {
				t.Errorf("validate(...) = %v, want %q matching ErrInput",
					err, tt.want)
			}
		})
	}
}

func TestForeignCurrencies(t *testing.T) {
	inv := func(status, currency string, l Line) Invoice {
		i := invoice("in_1", "cus_A", status, l)
		i.Currency = currency
		return i
	}
	withCurrency := func(l Line, c string) Line {
		l.Currency = c
		return l
	}
	aug := sub("il_old", "prod_chat", 100, day(2026, 8, 1),
		day(2026, 9, 1))
	oct := sub("il_oct", "prod_chat", 100, day(2026, 10, 1),
		nov.Start())
	tests := []struct {
		name string
		in   Inputs
		want []string
	}{
		{"all USD, any case", Inputs{
			Costs: []Cost{{Start: nov.Start(), Currency: "USD"}},
			Invoices: []Invoice{inv("paid", "usd",
				novLine("il_1", "prod_chat", 1))},
			BalanceTransactions: []BalanceTransaction{{Type: "charge",
				Currency: "Usd", Created: nov.Start()}},
		}, nil},
		{"AI and non-AI lines, sorted and lowercased", Inputs{
			Invoices: []Invoice{
				inv("paid", "usd", withCurrency(
					novLine("il_1", "prod_seats", 1), "GBP")),
				inv("open", "usd", withCurrency(
					novLine("il_2", "prod_chat", 1), "eur")),
				inv("paid", "usd", withCurrency(
					novLine("il_3", "prod_chat", 1), "EUR")),
			}}, []string{"eur", "gbp"}},
		{"line takes the invoice currency", Inputs{
			Invoices: []Invoice{inv("paid", "jpy",
				withCurrency(novLine("il_1", "prod_chat", 1), ""))},
		}, []string{"jpy"}},
		// A licensed AI line in October feeds MRR(P-1).
		{"line in MRR(P-1)", Inputs{
			Invoices: []Invoice{inv("paid", "usd",
				withCurrency(oct, "chf"))},
		}, []string{"chf"}},
		// October lines feed no other figure.
		{"metered line in P-1 enters no figure", Inputs{
			Invoices: []Invoice{inv("paid", "usd", withCurrency(
				metered("il_m", "prod_chat", 1, day(2026, 10, 1),
					nov.Start()), "chf"))},
		}, nil},
		{"non-AI line in P-1 enters no figure", Inputs{
			Invoices: []Invoice{inv("paid", "usd", withCurrency(
				sub("il_s", "prod_seats", 1, day(2026, 10, 1),
					nov.Start()), "chf"))},
		}, nil},
		{"line before P-1 enters no figure", Inputs{
			Invoices: []Invoice{inv("paid", "usd",
				withCurrency(aug, "chf"))},
		}, nil},
		{"void invoice enters no figure", Inputs{
			Invoices: []Invoice{inv("void", "eur",
				novLine("il_1", "prod_chat", 1))},
		}, nil},
		{"cost in P", Inputs{
			Costs: []Cost{{Start: day(2026, 11, 5), Currency: "EUR"}},
		}, []string{"eur"}},
		{"cost starting at P.End()", Inputs{
			Costs: []Cost{{Start: nov.End(), Currency: "EUR"}},
		}, nil},
		{"charge fee in P", Inputs{
			BalanceTransactions: []BalanceTransaction{{Type: "charge",
				Currency: "cad", Created: day(2026, 11, 5)}},
		}, []string{"cad"}},
		{"refund fee enters no figure", Inputs{
			BalanceTransactions: []BalanceTransaction{{Type: "refund",
				Currency: "cad", Created: day(2026, 11, 5)}},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := foreignCurrencies(&tt.in, aiSet, nov)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("foreignCurrencies(...) (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCurrencyError(t *testing.T) {
	err := error(&CurrencyError{Currencies: []string{"eur", "gbp"}})
	want := "non-USD amounts (eur, gbp): methodology v1 counts USD only"
	if err.Error() != want {
		t.Errorf("CurrencyError.Error() = %q, want %q", err, want)
	}
	if !errors.Is(err, ErrCurrency) {
		t.Errorf("errors.Is(%v, ErrCurrency) = false, want true", err)
	}
}
