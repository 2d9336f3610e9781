package stripe

import (
	"testing"

	stripe "github.com/stripe/stripe-go/v76"
)

// FuzzReadInvoices feeds arbitrary page bodies to the raw re-read of
// amount_excluding_tax. It must not panic, and what it keeps must be
// keyed by the invoice and line ids the page named.
func FuzzReadInvoices(f *testing.F) {
	f.Add([]byte(`{"data":[{"id":"in_1","lines":{"data":[` +
		`{"id":"il_1","amount_excluding_tax":500},` +
		`{"id":"il_2","amount_excluding_tax":null}]}}]}`))
	f.Add([]byte(`{"data":null}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var ex exTax
		if ex.readInvoices(&stripe.APIResponse{RawJSON: raw}) != nil {
			return
		}
		var again exTax
		if again.readLines("in_x", &stripe.APIResponse{RawJSON: raw}) == nil {
			for k := range again {
				if k.invoice != "in_x" {
					t.Fatalf("line %q kept under invoice %q", k.line,
						k.invoice)
				}
			}
		}
	})
}
