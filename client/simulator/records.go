package simulator

// The records below are the simulator's own bookkeeping: what it
// generated, in the units the providers use. The handlers render them
// as JSON and Truth counts them; neither reads the other's output.

// months is how far back the history goes from the month of now, so
// that the last complete month, the one before it and a 13-month
// lookback are all populated.
const months = 14

// company is one synthetic company and everything it generated.
type company struct {
	Company
	products []product
	// invoices and balance are sorted as Stripe lists them, newest
	// first.
	invoices []*invoice
	balance  []balanceTx
	// openai and anthropic hold the cost results of each day with
	// spend, by the day's start in Unix seconds.
	openai, anthropic map[int64][]costResult
}

// product is a Stripe product.
type product struct {
	id, name string
	active   bool
	created  int64
	metadata map[string]string
}

// invoice is a Stripe invoice with all its lines.
type invoice struct {
	id, customer, status, subscription string
	created                            int64
	lines                              []line
}

// line is a Stripe invoice line; amounts are in cents.
type line struct {
	id string
	// amount is what Stripe's amount says, tax included when the price
	// is tax inclusive; exTax is amount_excluding_tax.
	amount, exTax int64
	discounts     []int64
	// start and end bound the service period, in Unix seconds.
	start, end int64
	product    string // "" for a line without a price
	// subscription marks a line of type subscription; otherwise it is
	// an invoice item.
	subscription bool
	// usage is "licensed" or "metered" for a recurring price, "" for
	// a one-time price.
	usage    string
	interval string // "month" or "year" for a recurring price
	desc     string
}

// balanceTx is a Stripe balance transaction; amounts are in cents.
type balanceTx struct {
	id, typ              string
	amount, fee, created int64
}

// costResult is one result of an LLM provider's day. micros is the
// cost in millionths of a dollar: OpenAI writes it as dollars with six
// decimals, Anthropic as cents with four.
type costResult struct {
	micros int64
	label  string // model or line item
	// asString is whether OpenAI sends the amount as a JSON string
	// rather than a number; it varies by day.
	asString bool
}
