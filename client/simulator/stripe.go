package simulator

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// stripeVersion is the API version whose shapes the simulator serves.
const stripeVersion = "2023-10-16"

// embeddedLines is how many lines Stripe embeds in an invoice.
const embeddedLines = 10

// listQuery is a validated Stripe list query.
type listQuery struct {
	limit         int
	after         string
	gte, lt       int64
	hasGte, hasLt bool
}

// stripeCompany authenticates a Stripe call and checks its version. It
// answers the error itself and returns nil when the call may not go
// on.
func (s *Simulator) stripeCompany(w http.ResponseWriter,
	r *http.Request) *company {
	key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	c := s.company(key)
	if c == nil || c.StripeKey != key {
		stripeError(w, http.StatusUnauthorized, "",
			"Invalid API Key provided: "+mask(key))
		return nil
	}
	if v := r.Header.Get("Stripe-Version"); v != "" && v != stripeVersion {
		stripeError(w, http.StatusBadRequest, "",
			"the simulator serves Stripe-Version "+stripeVersion+" only")
		return nil
	}
	return c
}

// mask shows a key as Stripe does, its last four characters only.
func mask(key string) string {
	if len(key) < 12 {
		return "****"
	}
	return key[:8] + "****" + key[len(key)-4:]
}

// parseList validates limit (1 to 100, default 10), starting_after and
// created[gte] and created[lt].
func parseList(v url.Values) (listQuery, string) {
	q := listQuery{limit: 10, after: v.Get("starting_after")}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return q, "Invalid integer: " + s
		}
		q.limit = n
	}
	for k, dst := range map[string]*int64{"created[gte]": &q.gte,
		"created[lt]": &q.lt} {
		if s := v.Get(k); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return q, "Invalid integer: " + s
			}
			*dst = n
		}
	}
	q.hasGte, q.hasLt = v.Has("created[gte]"), v.Has("created[lt]")
	return q, ""
}

// inRange reports whether created passes the created filter.
func (q listQuery) inRange(created int64) bool {
	return (!q.hasGte || created >= q.gte) && (!q.hasLt || created < q.lt)
}

// page cuts one page from ids, the ids of the list in order: the
// limit items after starting_after. It returns their indices.
func (q listQuery) page(ids []string) (lo, hi int, msg string) {
	if q.after != "" {
		lo = -1
		for i, id := range ids {
			if id == q.after {
				lo = i + 1
				break
			}
		}
		if lo < 0 {
			return 0, 0, "No such object: '" + q.after + "'"
		}
	}
	return lo, min(lo+q.limit, len(ids)), ""
}

// serveList validates the query, cuts the page of a list of n items
// whose ids and creation times are given, and answers it.
func serveList(w http.ResponseWriter, r *http.Request, path string,
	n int, item func(int) (string, int64), render func(int) any) {
	q, msg := parseList(r.URL.Query())
	if msg != "" {
		stripeError(w, http.StatusBadRequest, "", msg)
		return
	}

	var idx []int
	var ids []string
	for i := range n {
		if id, created := item(i); q.inRange(created) {
			idx, ids = append(idx, i), append(ids, id)
		}
	}
	lo, hi, msg := q.page(ids)
	if msg != "" {
		stripeError(w, http.StatusBadRequest, "resource_missing", msg)
		return
	}

	data := make([]any, 0, hi-lo)
	for _, i := range idx[lo:hi] {
		data = append(data, render(i))
	}
	writeJSON(w, http.StatusOK, listJSON(path, data, hi < len(ids)))
}

// listJSON is a Stripe list object.
func listJSON(path string, data []any, more bool) map[string]any {
	return map[string]any{"object": "list", "url": path,
		"has_more": more, "data": data}
}

// products serves GET /v1/products.
func (s *Simulator) products(w http.ResponseWriter, r *http.Request) {
	c := s.stripeCompany(w, r)
	if c == nil {
		return
	}
	ps := c.products
	serveList(w, r, "/v1/products", len(ps),
		func(i int) (string, int64) { return ps[i].id, ps[i].created },
		func(i int) any { return productJSON(ps[i]) })
}

// invoices serves GET /v1/invoices, each invoice with its first lines.
func (s *Simulator) invoices(w http.ResponseWriter, r *http.Request) {
	c := s.stripeCompany(w, r)
	if c == nil {
		return
	}
	invs := c.invoices
	serveList(w, r, "/v1/invoices", len(invs),
		func(i int) (string, int64) {
			return invs[i].id, invs[i].created
		},
		func(i int) any { return invoiceJSON(invs[i]) })
}

// invoiceLines serves GET /v1/invoices/{id}/lines.
func (s *Simulator) invoiceLines(w http.ResponseWriter, r *http.Request) {
	c := s.stripeCompany(w, r)
	if c == nil {
		return
	}
	id := r.PathValue("id")
	var inv *invoice
	for _, v := range c.invoices {
		if v.id == id {
			inv = v
		}
	}
	if inv == nil {
		stripeError(w, http.StatusNotFound, "resource_missing",
			"No such invoice: '"+id+"'")
		return
	}
	ls := inv.lines
	serveList(w, r, "/v1/invoices/"+id+"/lines", len(ls),
		func(i int) (string, int64) { return ls[i].id, inv.created },
		func(i int) any { return lineJSON(inv, ls[i]) })
}

// balance serves GET /v1/balance_transactions.
func (s *Simulator) balance(w http.ResponseWriter, r *http.Request) {
	c := s.stripeCompany(w, r)
	if c == nil {
		return
	}
	bs := c.balance
	serveList(w, r, "/v1/balance_transactions", len(bs),
		func(i int) (string, int64) { return bs[i].id, bs[i].created },
		func(i int) any { return balanceJSON(bs[i]) })
}

func stripeError(w http.ResponseWriter, status int, code, msg string) {
	e := map[string]any{"type": "invalid_request_error", "message": msg}
	if code != "" {
		e["code"] = code
	}
	writeJSON(w, status, map[string]any{"error": e})
}
