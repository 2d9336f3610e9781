package stripe

import (
	"context"
	"fmt"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/infermargin/infermargin/client/metrics"
	"github.com/infermargin/infermargin/client/providers/fetch"
)

// invoices lists the invoices created in the range, each with all its
// lines: the first page embedded in the invoice, then the rest from
// /v1/invoices/{id}/lines. Expanding nothing is enough: in 2023-10-16
// a line's price is embedded, with its product id.
func (c *Client) invoices(ctx context.Context, sc *client.API,
	created *stripe.RangeQueryParams) ([]metrics.Invoice, error) {
	it := sc.Invoices.List(&stripe.InvoiceListParams{
		ListParams: listParams(ctx), CreatedRange: created})
	var out []metrics.Invoice
	var page *stripe.InvoiceList
	var ex exTax
	for it.Next() {
		if l := it.InvoiceList(); l != page {
			page = l
			if err := ex.readInvoices(page.LastResponse); err != nil {
				return nil, fmt.Errorf("stripe: list invoices: %w", err)
			}
		}
		inv, err := c.invoice(ctx, sc, it.Invoice(), ex)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, listError("invoices", it.Err(), c.Key)
}

// invoice maps inv and reads the lines it does not embed.
func (c *Client) invoice(ctx context.Context, sc *client.API,
	inv *stripe.Invoice, ex exTax) (metrics.Invoice, error) {
	m := metrics.Invoice{ID: inv.ID, Status: string(inv.Status),
		Currency: string(inv.Currency), Created: unix(inv.Created)}
	if inv.Customer != nil {
		m.Customer = inv.Customer.ID
	}
	if inv.Lines == nil {
		return m, fmt.Errorf("stripe: list invoices: invoice %q has no "+
			"lines list: %w", inv.ID, fetch.ErrMalformed)
	}
	for _, l := range inv.Lines.Data {
		ml, err := ex.line(inv.ID, l)
		if err != nil {
			return m, fmt.Errorf("stripe: list invoices: %w", err)
		}
		m.Lines = append(m.Lines, ml)
	}
	if !inv.Lines.HasMore {
		return m, nil
	}
	more, err := c.moreLines(ctx, sc, inv.ID, inv.Lines.Data)
	m.Lines = append(m.Lines, more...)
	return m, err
}

// moreLines lists the lines of invoice id that follow those embedded.
func (c *Client) moreLines(ctx context.Context, sc *client.API,
	id string, embedded []*stripe.InvoiceLineItem) ([]metrics.Line,
	error) {
	p := &stripe.InvoiceListLinesParams{ListParams: listParams(ctx),
		Invoice: stripe.String(id)}
	if n := len(embedded); n > 0 {
		p.StartingAfter = stripe.String(embedded[n-1].ID)
	}
	it := sc.Invoices.ListLines(p)
	var out []metrics.Line
	var page *stripe.InvoiceLineItemList
	var ex exTax
	for it.Next() {
		if l := it.InvoiceLineItemList(); l != page {
			page = l
			if err := ex.readLines(id, page.LastResponse); err != nil {
				return nil, fmt.Errorf("stripe: list invoice lines: %w",
					err)
			}
		}
		ml, err := ex.line(id, it.InvoiceLineItem())
		if err != nil {
			return nil, fmt.Errorf("stripe: list invoice lines: %w", err)
		}
		out = append(out, ml)
	}
	return out, listError("invoice lines", it.Err(), c.Key)
}

// line maps l, taking its amount excluding tax from ex.
func (ex exTax) line(invoice string, l *stripe.InvoiceLineItem) (
	metrics.Line, error) {
	amount, ok := ex[lineKey{invoice, l.ID}]
	if !ok {
		return metrics.Line{}, fmt.Errorf("invoice %q line %q: not in "+
			"the page: %w", invoice, l.ID, fetch.ErrMalformed)
	}
	m := metrics.Line{ID: l.ID, Amount: l.Amount,
		AmountExcludingTax: amount, Currency: string(l.Currency),
		Subscription: l.Type == stripe.InvoiceLineItemTypeSubscription}
	for _, d := range l.DiscountAmounts {
		if d != nil {
			m.DiscountAmounts = append(m.DiscountAmounts, d.Amount)
		}
	}
	if p := l.Period; p != nil {
		m.PeriodStart, m.PeriodEnd = unix(p.Start), unix(p.End)
	}
	price(&m, l.Price)
	return m, nil
}

// price sets the fields of m that come from the line's price.
func price(m *metrics.Line, p *stripe.Price) {
	if p == nil {
		return
	}
	if p.Product != nil {
		m.ProductID = p.Product.ID
	}
	m.Recurring = p.Type == stripe.PriceTypeRecurring
	if p.Recurring != nil {
		m.UsageType = string(p.Recurring.UsageType)
	}
}
