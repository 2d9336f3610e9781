package simulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const day = 24 * time.Hour

// dayQuery is a validated query of daily cost buckets. Buckets start
// at UTC midnight: a start within a day starts with that day's bucket,
// and the last bucket is the one that holds the end, or now.
type dayQuery struct {
	start, end, from time.Time // from: the first bucket of the page
	limit            int
}

// days returns the bucket starts of the page, and the start of the
// next page's first bucket, zero when there is none.
func (q dayQuery) days() ([]time.Time, time.Time) {
	var out []time.Time
	d := q.from
	for ; d.Before(q.end) && len(out) < q.limit; d = d.Add(day) {
		out = append(out, d)
	}
	if d.Before(q.end) {
		return out, d
	}
	return out, time.Time{}
}

// pageToken makes the opaque next_page cursor for a page starting at
// d. It holds characters a query must escape, as real cursors may.
func pageToken(d time.Time) string {
	return "page_" + base64.StdEncoding.EncodeToString(
		[]byte(d.Format(time.RFC3339)))
}

// parsePage reads a next_page cursor back; it must name a day of the
// query's range.
func (q *dayQuery) parsePage(tok string) string {
	if tok == "" {
		q.from = q.start
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(
		strings.TrimPrefix(tok, "page_"))
	t, err2 := time.Parse(time.RFC3339, string(b))
	if err != nil || err2 != nil || t.Before(q.start) ||
		!t.Before(q.end) || t.Sub(q.start)%day != 0 {
		return "page: invalid cursor"
	}
	q.from = t.UTC()
	return ""
}

// parseLimit reads limit, between 1 and most, default 7.
func (q *dayQuery) parseLimit(v url.Values, most int) string {
	q.limit = 7
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > most {
			return fmt.Sprintf("limit: want 1 to %d", most)
		}
		q.limit = n
	}
	if w := v.Get("bucket_width"); w != "" && w != "1d" {
		return "bucket_width: the simulator serves 1d only"
	}
	return ""
}

// openAICosts serves GET /v1/organization/costs.
func (s *Simulator) openAICosts(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	c := s.company(key)
	if c == nil || c.OpenAIKey != key {
		openAIError(w, http.StatusUnauthorized, "Incorrect API key "+
			"provided. You can find your API key at "+
			"https://platform.openai.com/account/api-keys.")
		return
	}

	q, msg := s.openAIQuery(r.URL.Query())
	if msg != "" {
		openAIError(w, http.StatusBadRequest, msg)
		return
	}

	days, next := q.days()
	page := map[string]any{"object": "page",
		"data": openAIBuckets(c, days), "has_more": !next.IsZero(),
		"next_page": nil}
	if !next.IsZero() {
		page["next_page"] = pageToken(next)
	}
	writeJSON(w, http.StatusOK, page)
}

// openAIQuery validates the query: start_time and end_time in Unix
// seconds, bucket_width 1d, limit 1 to 180, page.
func (s *Simulator) openAIQuery(v url.Values) (dayQuery, string) {
	var q dayQuery
	start, err := strconv.ParseInt(v.Get("start_time"), 10, 64)
	if err != nil {
		return q, "start_time: want Unix seconds"
	}
	q.start = time.Unix(start, 0).UTC().Truncate(day)
	q.end = s.now
	if e := v.Get("end_time"); e != "" {
		end, err := strconv.ParseInt(e, 10, 64)
		if err != nil || end <= start {
			return q, "end_time: want Unix seconds after start_time"
		}
		q.end = time.Unix(end, 0).UTC()
	}
	if msg := q.parseLimit(v, 180); msg != "" {
		return q, msg
	}
	return q, q.parsePage(v.Get("page"))
}

// openAIBuckets renders the buckets of days, amounts in dollars as
// JSON numbers on some days and strings on others.
func openAIBuckets(c *company, days []time.Time) []any {
	out := make([]any, 0, len(days))
	for _, d := range days {
		rs := []any{}
		for _, cr := range c.openai[d.Unix()] {
			v := json.RawMessage(decimal(cr.micros, 6))
			if cr.asString {
				v = json.RawMessage(`"` + string(v) + `"`)
			}
			rs = append(rs, map[string]any{
				"object":    "organization.costs.result",
				"amount":    map[string]any{"value": v, "currency": "usd"},
				"line_item": cr.label, "project_id": nil})
		}
		out = append(out, map[string]any{"object": "bucket",
			"start_time": d.Unix(), "end_time": d.Add(day).Unix(),
			"results": rs})
	}
	return out
}

// anthropicCosts serves GET /v1/organizations/cost_report.
func (s *Simulator) anthropicCosts(w http.ResponseWriter,
	r *http.Request) {
	key := r.Header.Get("X-Api-Key")
	c := s.company(key)
	if c == nil || c.AnthropicKey != key {
		anthropicError(w, http.StatusUnauthorized, "authentication_error",
			"invalid x-api-key")
		return
	}
	if r.Header.Get("Anthropic-Version") == "" {
		anthropicError(w, http.StatusBadRequest, "invalid_request_error",
			"anthropic-version: header is required")
		return
	}

	q, msg := s.anthropicQuery(r.URL.Query())
	if msg != "" {
		anthropicError(w, http.StatusBadRequest, "invalid_request_error",
			msg)
		return
	}

	days, next := q.days()
	page := map[string]any{"data": anthropicBuckets(c, days),
		"has_more": !next.IsZero(), "next_page": nil}
	if !next.IsZero() {
		page["next_page"] = pageToken(next)
	}
	writeJSON(w, http.StatusOK, page)
}

// anthropicQuery validates the query: starting_at and ending_at in
// RFC 3339, bucket_width 1d, limit 1 to 31, page.
func (s *Simulator) anthropicQuery(v url.Values) (dayQuery, string) {
	var q dayQuery
	start, err := time.Parse(time.RFC3339, v.Get("starting_at"))
	if err != nil {
		return q, "starting_at: want an RFC 3339 time"
	}
	q.start = start.UTC().Truncate(day)
	q.end = s.now
	if e := v.Get("ending_at"); e != "" {
		end, err := time.Parse(time.RFC3339, e)
		if err != nil || !end.After(start) {
			return q, "ending_at: want an RFC 3339 time after starting_at"
		}
		q.end = end.UTC()
	}
	if msg := q.parseLimit(v, 31); msg != "" {
		return q, msg
	}
	return q, q.parsePage(v.Get("page"))
}

// anthropicBuckets renders the buckets of days, amounts in cents as
// decimal strings.
func anthropicBuckets(c *company, days []time.Time) []any {
	out := make([]any, 0, len(days))
	for _, d := range days {
		rs := []any{}
		for _, cr := range c.anthropic[d.Unix()] {
			rs = append(rs, map[string]any{"currency": "USD",
				"amount": decimal(cr.micros, 4), "workspace_id": nil,
				"description": nil, "cost_type": "tokens",
				"context_window": "0-200k", "model": cr.label,
				"service_tier": "standard", "token_type": nil})
		}
		out = append(out, map[string]any{
			"starting_at": d.Format(time.RFC3339),
			"ending_at":   d.Add(day).Format(time.RFC3339),
			"results":     rs})
	}
	return out
}

// decimal writes n / 10^places in plain decimal notation.
func decimal(n int64, places int) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	s := fmt.Sprintf("%0*d", places+1, n)
	return sign + s[:len(s)-places] + "." + s[len(s)-places:]
}

func openAIError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"message": msg, "type": "invalid_request_error", "param": nil,
		"code": nil}})
}

func anthropicError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, map[string]any{"type": "error",
		"error": map[string]any{"type": typ, "message": msg}})
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode answer", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
