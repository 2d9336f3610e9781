package collect

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Keys the fakes accept; none may appear in any output.
const (
	openaiKey    = "sk-admin-TESTKEY0123456789abcdef"
	anthropicKey = "sk-ant-admin01-TESTKEY0123456789abcdef"
	stripeKey    = "rk_test_51TESTKEY0123456789abcdef"
)

// recorder answers with handle and keeps every request's path and
// query.
type recorder struct {
	mu      sync.Mutex
	queries map[string]url.Values
	n       int
	handle  func(w http.ResponseWriter, r *http.Request)
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	rc.n++
	if rc.queries == nil {
		rc.queries = map[string]url.Values{}
	}
	rc.queries[r.URL.Path] = r.URL.Query()
	rc.mu.Unlock()
	if rc.handle == nil {
		http.Error(w, "not expected", http.StatusTeapot)
		return
	}
	rc.handle(w, r)
}

func (rc *recorder) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.n
}

func serveFake(t *testing.T, rc *recorder) string {
	t.Helper()
	s := httptest.NewServer(rc)
	t.Cleanup(s.Close)
	return s.URL
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// openaiFake serves GET /v1/organization/costs: daily buckets in
// dollars, one page.
func openaiFake(days map[string]float64) *recorder {
	return &recorder{handle: func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/organization/costs" ||
			r.Header.Get("Authorization") != "Bearer "+openaiKey {
			http.Error(w, `{"error":{"message":"no"}}`,
				http.StatusUnauthorized)
			return
		}
		var data []any
		for d, v := range days {
			s := day(d).Unix()
			data = append(data, map[string]any{"object": "bucket",
				"start_time": s, "end_time": s + 86400,
				"results": []any{map[string]any{
					"object": "organization.costs.result",
					"amount": map[string]any{"value": v,
						"currency": "usd"}}}})
		}
		writeJSON(w, map[string]any{"object": "page", "data": data,
			"has_more": false, "next_page": nil})
	}}
}

// anthropicFake serves GET /v1/organizations/cost_report: daily
// buckets in cents, as decimal strings, one page.
func anthropicFake(days map[string]string) *recorder {
	return &recorder{handle: func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/organizations/cost_report" ||
			r.Header.Get("X-Api-Key") != anthropicKey {
			http.Error(w, `{"error":{"message":"no"}}`,
				http.StatusUnauthorized)
			return
		}
		var data []any
		for d, cents := range days {
			s := day(d)
			data = append(data, map[string]any{
				"starting_at": s.Format(time.RFC3339),
				"ending_at":   s.AddDate(0, 0, 1).Format(time.RFC3339),
				"results": []any{map[string]any{"currency": "USD",
					"amount": cents, "cost_type": "tokens"}}})
		}
		writeJSON(w, map[string]any{"data": data, "has_more": false,
			"next_page": nil})
	}}
}

// stripeData is the account a stripeFake lists.
type stripeData struct {
	products, invoices, balance []map[string]any
}

// stripeFake serves Stripe's list endpoints, everything on one page.
func stripeFake(d stripeData) *recorder {
	return &recorder{handle: func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+stripeKey {
			http.Error(w, `{"error":{"message":"no"}}`,
				http.StatusUnauthorized)
			return
		}
		items := map[string][]map[string]any{
			"/v1/products":             d.products,
			"/v1/invoices":             d.invoices,
			"/v1/balance_transactions": d.balance,
		}[r.URL.Path]
		writeJSON(w, map[string]any{"object": "list", "url": r.URL.Path,
			"has_more": false, "data": items})
	}}
}

func product(id string, md map[string]string) map[string]any {
	return map[string]any{"id": id, "object": "product", "active": true,
		"metadata": md, "name": id, "created": day("2025-01-01").Unix()}
}

// line is an invoice line of cents over [from, to); recurring makes
// it a licensed subscription line.
func line(id, product string, cents int64, from, to string,
	recurring bool) map[string]any {
	price := map[string]any{"id": "price_" + id, "object": "price",
		"product": product, "type": "one_time", "currency": "usd"}
	typ := "invoiceitem"
	if recurring {
		typ = "subscription"
		price["type"] = "recurring"
		price["recurring"] = map[string]any{"interval": "month",
			"usage_type": "licensed"}
	}
	return map[string]any{"id": id, "object": "line_item",
		"amount": cents, "amount_excluding_tax": cents, "currency": "usd",
		"discount_amounts": []any{}, "type": typ, "price": price,
		"period": map[string]any{"start": day(from).Unix(),
			"end": day(to).Unix()}}
}

func invoice(id, customer, created string,
	lines ...map[string]any) map[string]any {
	data := make([]any, len(lines))
	for i, l := range lines {
		data[i] = l
	}
	return map[string]any{"id": id, "object": "invoice",
		"customer": customer, "status": "paid", "currency": "usd",
		"created": day(created).Unix(),
		"lines": map[string]any{"object": "list", "data": data,
			"has_more": false, "url": "/v1/invoices/" + id + "/lines"}}
}

func balance(id, typ string, fee int64, created string) map[string]any {
	return map[string]any{"id": id, "object": "balance_transaction",
		"type": typ, "currency": "usd", "fee": fee, "amount": 10000,
		"created": day(created).Unix()}
}
