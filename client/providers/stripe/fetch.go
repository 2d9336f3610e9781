package stripe

import (
	"context"
	"fmt"
	"slices"
	"time"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/infermargin/infermargin/client/metrics"
)

// pageSize is the largest page Stripe's list endpoints serve.
const pageSize = 100

// Data is what Fetch read, reduced to the inputs of package metrics.
type Data struct {
	// Products are every product, active or not.
	Products []metrics.Product
	// Invoices are the invoices created in the fetched range, of
	// every status, each with all its lines.
	Invoices []metrics.Invoice
	// BalanceTransactions are the balance transactions created in
	// the fetched range, of every type.
	BalanceTransactions []metrics.BalanceTransaction
	// AI is the choice of AI products Fetch was given.
	AI metrics.AIProducts
	// UnknownAI lists the ids of AI.IDs that are not among Products,
	// likely a typo, for the founder to check. Sorted.
	UnknownAI []string
}

// Fill sets the Stripe fields of in: products, AI choice, invoices and
// balance transactions. It leaves Costs alone.
func (d *Data) Fill(in *metrics.Inputs) {
	in.Products = d.Products
	in.AI = d.AI
	in.Invoices = d.Invoices
	in.BalanceTransactions = d.BalanceTransactions
}

// Fetch lists every product, and the invoices and balance transactions
// created in [since, until). It checks the key first and sends nothing
// if it is not a restricted key. ai is kept in the result and its ids
// checked against the products.
//
// A call that fails with a network error, a 429 or a 5xx is tried
// again as c.Retry says; a wait between tries ends, and Fetch returns
// the context's error, as soon as ctx is done.
func (c *Client) Fetch(ctx context.Context, since, until time.Time,
	ai metrics.AIProducts) (*Data, error) {
	if err := CheckKey(string(c.Key)); err != nil {
		return nil, err
	}
	if !since.Before(until) {
		return nil, fmt.Errorf("stripe: fetch: range ends at %s, "+
			"not after its start %s", until.UTC().Format(time.RFC3339),
			since.UTC().Format(time.RFC3339))
	}
	created := createdRange(since, until)
	sc := c.api()
	ctx, tries := withTries(ctx)

	d := &Data{AI: ai}
	var err error
	if d.Products, err = c.products(ctx, sc); err != nil {
		return nil, attempts(err, tries.Load())
	}
	if d.Invoices, err = c.invoices(ctx, sc, created); err != nil {
		return nil, attempts(err, tries.Load())
	}
	d.BalanceTransactions, err = c.balance(ctx, sc, created)
	if err != nil {
		return nil, attempts(err, tries.Load())
	}
	d.UnknownAI = unknown(ai.IDs, d.Products)
	return d, nil
}

// createdRange is the created filter for [since, until). Stripe's
// created is whole seconds, so both ends round up: created >= since
// is created >= ceil(since), and likewise for until.
func createdRange(since, until time.Time) *stripe.RangeQueryParams {
	return &stripe.RangeQueryParams{
		GreaterThanOrEqual: ceilUnix(since),
		LesserThan:         ceilUnix(until),
	}
}

// ceilUnix returns t in Unix seconds, rounded up.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// listParams are the parameters every list call shares.
func listParams(ctx context.Context) stripe.ListParams {
	return stripe.ListParams{Context: ctx, Limit: stripe.Int64(pageSize)}
}

// products lists every product, active and archived: an archived
// product still marks the lines of past invoices as AI.
func (c *Client) products(ctx context.Context, sc *client.API) (
	[]metrics.Product, error) {
	it := sc.Products.List(&stripe.ProductListParams{
		ListParams: listParams(ctx)})
	var ps []metrics.Product
	for it.Next() {
		p := it.Product()
		ps = append(ps, metrics.Product{ID: p.ID, Metadata: p.Metadata})
	}
	return ps, listError("products", it.Err(), c.Key)
}

// balance lists the balance transactions created in the range.
func (c *Client) balance(ctx context.Context, sc *client.API,
	created *stripe.RangeQueryParams) ([]metrics.BalanceTransaction,
	error) {
	it := sc.BalanceTransactions.List(&stripe.BalanceTransactionListParams{
		ListParams: listParams(ctx), CreatedRange: created})
	var bs []metrics.BalanceTransaction
	for it.Next() {
		bt := it.BalanceTransaction()
		bs = append(bs, metrics.BalanceTransaction{ID: bt.ID,
			Type: string(bt.Type), Currency: string(bt.Currency),
			Fee: bt.Fee, Created: unix(bt.Created)})
	}
	return bs, listError("balance transactions", it.Err(), c.Key)
}

// unknown returns the ids not among ps, sorted and distinct.
func unknown(ids []string, ps []metrics.Product) []string {
	var out []string
	for _, id := range ids {
		if !slices.ContainsFunc(ps, func(p metrics.Product) bool {
			return p.ID == id
		}) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// unix returns Stripe's Unix seconds as a UTC time.
func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }
