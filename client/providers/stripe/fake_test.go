package stripe

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/infermargin/infermargin/client/metrics"
	"github.com/infermargin/infermargin/client/providers/fetch"
)

const testKey = "rk_test_51TESTKEY0123456789abcdef"

// obj is one Stripe object as JSON, with the fields the fake sorts
// and filters by.
type obj struct {
	id      string
	created int64
	json    map[string]any
	lines   []map[string]any // an invoice's lines
}

// reply is a canned answer.
type reply struct {
	status int
	header map[string]string
	body   string
}

// fake emulates Stripe's list endpoints at API version 2023-10-16:
// list objects of at most limit items (default 10, at most 100),
// newest first, paged with starting_after, filtered by created[gte]
// and created[lt], which invoices and balance transactions must send
// as gte and lt. An invoice embeds its first 10 lines.
type fake struct {
	products, invoices, balance []obj
	gte, lt                     int64
	// fail answers the first calls to a path with these replies.
	fail map[string][]reply

	mu      sync.Mutex
	calls   int
	paths   []string
	headers []http.Header
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.paths = append(f.paths, r.URL.Path)
	f.headers = append(f.headers, r.Header.Clone())
	if rs := f.fail[r.URL.Path]; len(rs) > 0 {
		f.fail[r.URL.Path] = rs[1:]
		write(w, rs[0])
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testKey {
		apiError(w, 401, "invalid_request_error", "",
			"Invalid API Key provided: rk_test_****cdef")
		return
	}
	if v := r.Header.Get("Stripe-Version"); v != "2023-10-16" {
		apiError(w, 400, "invalid_request_error", "",
			"Invalid Stripe API version: "+v)
		return
	}
	if msg := f.checkRange(r); msg != "" {
		apiError(w, 400, "invalid_request_error", "", msg)
		return
	}
	items, url, ok := f.route(r)
	if !ok || r.Method != http.MethodGet {
		apiError(w, 404, "invalid_request_error", "",
			"Unrecognized request URL")
		return
	}
	f.list(w, r, url, items)
}

// route returns the objects a path lists and whether the path needs
// the created filter.
func (f *fake) route(r *http.Request) ([]obj, string, bool) {
	p := r.URL.Path
	switch {
	case p == "/v1/products":
		return f.products, p, true
	case p == "/v1/invoices":
		return f.created(r, f.invoices), p, true
	case p == "/v1/balance_transactions":
		return f.created(r, f.balance), p, true
	case strings.HasPrefix(p, "/v1/invoices/") &&
		strings.HasSuffix(p, "/lines"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/v1/invoices/"),
			"/lines")
		for _, inv := range f.invoices {
			if inv.id == id {
				return lineObjs(inv), p, true
			}
		}
	}
	return nil, "", false
}

// checkRange says what is wrong with the created filter of a list of
// invoices or balance transactions: the test wants [gte, lt).
func (f *fake) checkRange(r *http.Request) string {
	p := r.URL.Path
	if p != "/v1/invoices" && p != "/v1/balance_transactions" {
		return ""
	}
	q := r.URL.Query()
	if q.Get("created[gte]") != strconv.FormatInt(f.gte, 10) ||
		q.Get("created[lt]") != strconv.FormatInt(f.lt, 10) {
		return "the test wants created[gte] and created[lt] of the period"
	}
	return ""
}

// created filters objs by the request's created range.
func (f *fake) created(r *http.Request, objs []obj) []obj {
	q := r.URL.Query()
	gte, _ := strconv.ParseInt(q.Get("created[gte]"), 10, 64)
	lt, _ := strconv.ParseInt(q.Get("created[lt]"), 10, 64)
	out := []obj{}
	for _, o := range objs {
		if o.created >= gte && o.created < lt {
			out = append(out, o)
		}
	}
	return out
}

// list answers one page of items.
func (f *fake) list(w http.ResponseWriter, r *http.Request, url string,
	items []obj) {
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "limit", "starting_after", "created[gte]", "created[lt]":
		default:
			apiError(w, 400, "invalid_request_error",
				"parameter_unknown", "Received unknown parameter: "+k)
			return
		}
	}
	limit := 10
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			apiError(w, 400, "invalid_request_error", "",
				"Invalid integer: "+s)
			return
		}
		limit = n
	}
	start := 0
	if after := q.Get("starting_after"); after != "" {
		i := slices.IndexFunc(items, func(o obj) bool {
			return o.id == after
		})
		if i < 0 {
			apiError(w, 400, "invalid_request_error",
				"resource_missing", "No such object: '"+after+"'")
			return
		}
		start = i + 1
	}
	end := min(start+limit, len(items))
	data := make([]any, 0, end-start)
	for _, o := range items[start:end] {
		data = append(data, render(o))
	}
	writeJSON(w, listJSON(url, data, end < len(items)))
}

// listJSON is a Stripe list object.
func listJSON(url string, data []any, more bool) map[string]any {
	return map[string]any{"object": "list", "url": url,
		"has_more": more, "data": data}
}

// render returns o's JSON, an invoice with its first 10 lines.
func render(o obj) map[string]any {
	if o.lines == nil {
		return o.json
	}
	j := map[string]any{}
	for k, v := range o.json {
		j[k] = v
	}
	n := min(10, len(o.lines))
	data := make([]any, n)
	for i := range n {
		data[i] = o.lines[i]
	}
	lines := listJSON("/v1/invoices/"+o.id+"/lines", data,
		len(o.lines) > n)
	lines["total_count"] = len(o.lines)
	j["lines"] = lines
	return j
}

// lineObjs returns an invoice's lines as objects to list, in order.
func lineObjs(inv obj) []obj {
	out := []obj{}
	for _, l := range inv.lines {
		out = append(out, obj{id: l["id"].(string), json: l})
	}
	return out
}

// newest sorts objs as Stripe lists them, newest first.
func newest(objs []obj) []obj {
	slices.SortStableFunc(objs, func(a, b obj) int {
		return cmp.Compare(b.created, a.created)
	})
	return objs
}

func write(w http.ResponseWriter, rp reply) {
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rp.status)
	_, _ = w.Write([]byte(rp.body))
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	write(w, reply{status: 200, body: string(b)})
}

// errorBody is Stripe's error shape.
func errorBody(typ, code, msg string) string {
	e := map[string]any{"type": typ, "message": msg}
	if code != "" {
		e["code"] = code
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	return string(b)
}

func apiError(w http.ResponseWriter, status int, typ, code, msg string) {
	write(w, reply{status: status, body: errorBody(typ, code, msg)})
}

// serve starts f and returns a client of it.
func serve(t *testing.T, f *fake, key string) *Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return &Client{BaseURL: srv.URL, Key: fetch.Secret(key), HTTP: srv.Client(),
		Retries: -1}
}

// The JSON of Stripe objects, from the metrics types they reduce to.

func productJSON(p metrics.Product, active bool, created int64) obj {
	md := p.Metadata
	if md == nil {
		md = map[string]string{}
	}
	return obj{id: p.ID, created: created, json: map[string]any{
		"id": p.ID, "object": "product", "active": active,
		"created": created, "default_price": nil, "description": nil,
		"images": []any{}, "livemode": false, "metadata": md,
		"name": "Product " + p.ID, "type": "service", "updated": created,
		"url": nil}}
}

func invoiceJSON(inv metrics.Invoice) obj {
	lines := make([]map[string]any, len(inv.Lines))
	for i, l := range inv.Lines {
		lines[i] = lineJSON(inv.ID, l)
	}
	var customer any
	if inv.Customer != "" {
		customer = inv.Customer
	}
	return obj{id: inv.ID, created: inv.Created.Unix(), lines: lines,
		json: map[string]any{
			"id": inv.ID, "object": "invoice", "customer": customer,
			"status": inv.Status, "currency": inv.Currency,
			"created": inv.Created.Unix(), "livemode": false,
			"amount_due": 0, "amount_paid": 0, "discount": nil,
			"subscription": nil, "total_excluding_tax": nil}}
}

func lineJSON(invoice string, l metrics.Line) map[string]any {
	typ := "invoiceitem"
	if l.Subscription {
		typ = "subscription"
	}
	discounts := []any{}
	for i, d := range l.DiscountAmounts {
		discounts = append(discounts, map[string]any{"amount": d,
			"discount": fmt.Sprintf("di_%s_%d", l.ID, i)})
	}
	var ex any
	if l.AmountExcludingTax != nil {
		ex = *l.AmountExcludingTax
	}
	return map[string]any{
		"id": l.ID, "object": "line_item", "amount": l.Amount,
		"amount_excluding_tax": ex, "currency": l.Currency,
		"description": nil, "discount_amounts": discounts,
		"discountable": true, "discounts": []any{}, "invoice": invoice,
		"livemode": false, "metadata": map[string]string{},
		"period": map[string]any{"start": l.PeriodStart.Unix(),
			"end": l.PeriodEnd.Unix()},
		"plan": nil, "price": priceJSON(l), "proration": false,
		"quantity": 1, "tax_amounts": []any{}, "tax_rates": []any{},
		"type": typ, "unit_amount_excluding_tax": "0"}
}

func priceJSON(l metrics.Line) any {
	if l.ProductID == "" {
		return nil
	}
	p := map[string]any{"id": "price_" + l.ID, "object": "price",
		"active": true, "billing_scheme": "per_unit", "currency": "usd",
		"product": l.ProductID, "type": "one_time", "recurring": nil,
		"unit_amount": l.Amount, "tax_behavior": "unspecified"}
	if l.Recurring {
		p["type"] = "recurring"
		p["recurring"] = map[string]any{"interval": "month",
			"interval_count": 1, "usage_type": l.UsageType,
			"aggregate_usage": nil, "trial_period_days": nil}
	}
	return p
}

func balanceJSON(b metrics.BalanceTransaction) obj {
	return obj{id: b.ID, created: b.Created.Unix(), json: map[string]any{
		"id": b.ID, "object": "balance_transaction", "amount": 10000,
		"available_on": b.Created.Unix(), "created": b.Created.Unix(),
		"currency": b.Currency, "description": nil, "exchange_rate": nil,
		"fee": b.Fee, "fee_details": []any{}, "net": 10000 - b.Fee,
		"reporting_category": b.Type, "source": "ch_" + b.ID,
		"status": "available", "type": b.Type}}
}
