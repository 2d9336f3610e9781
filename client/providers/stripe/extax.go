package stripe

import (
	"fmt"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/infermargin/infermargin/client/providers/fetch"
)

// exTax holds the amount_excluding_tax of the lines of one page, nil
// where Stripe sent null. stripe-go decodes the field into an int64,
// turning null into 0, which would read as a line worth nothing; so it
// is read again from the page's raw JSON.
type exTax map[lineKey]*int64

// lineKey names a line: ids of lines are only unique per invoice.
type lineKey struct{ invoice, line string }

// rawLine is the one field of a line stripe-go loses.
type rawLine struct {
	ID                 string `json:"id"`
	AmountExcludingTax *int64 `json:"amount_excluding_tax"`
}

type rawLines struct {
	Data []rawLine `json:"data"`
}

type rawInvoices struct {
	Data []struct {
		ID    string   `json:"id"`
		Lines rawLines `json:"lines"`
	} `json:"data"`
}

// readInvoices replaces *ex with the lines of an invoice page.
func (ex *exTax) readInvoices(r *stripe.APIResponse) error {
	var page rawInvoices
	if err := decode(r, &page); err != nil {
		return err
	}
	*ex = exTax{}
	for _, inv := range page.Data {
		ex.add(inv.ID, inv.Lines)
	}
	return nil
}

// readLines replaces *ex with a page of the lines of invoice.
func (ex *exTax) readLines(invoice string, r *stripe.APIResponse) error {
	var page rawLines
	if err := decode(r, &page); err != nil {
		return err
	}
	*ex = exTax{}
	ex.add(invoice, page)
	return nil
}

func (ex exTax) add(invoice string, ls rawLines) {
	for _, l := range ls.Data {
		ex[lineKey{invoice, l.ID}] = l.AmountExcludingTax
	}
}

// decode reads the raw JSON of the answer r into v.
func decode(r *stripe.APIResponse, v any) error {
	if r == nil {
		return fmt.Errorf("no answer kept: %w", fetch.ErrMalformed)
	}
	return fetch.Decode(r.RawJSON, v)
}
