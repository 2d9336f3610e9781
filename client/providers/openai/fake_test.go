package openai

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/infermargin/infermargin/client/providers/fetch"
)

const (
	testKey  = "sk-admin-TESTKEY0123456789abcdef"
	day      = 86400
	maxLimit = 180 // the costs endpoint's documented maximum
)

// result is one cost line as the API sends it: value is raw JSON, a
// number (0.06) or a string ("0.06").
type result struct{ value, currency string }

// reply is a canned answer sent before the fake serves pages.
type reply struct {
	status int
	header map[string]string
	body   string
}

// fake emulates GET /v1/organization/costs as documented: one bucket
// per UTC day in [start_time, end_time), empty results on days without
// spend, at most limit buckets a page (and at most pageSize, to force
// paging), and an opaque next_page token that must come back exactly.
type fake struct {
	key        string
	start, end int64
	days       map[int64][]result // by day start, unix seconds
	pageSize   int
	before     []reply

	mu     sync.Mutex
	calls  int
	tokens map[string]int // next_page token to bucket offset
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if len(f.before) > 0 {
		rp := f.before[0]
		f.before = f.before[1:]
		for k, v := range rp.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(rp.status)
		_, _ = w.Write([]byte(rp.body))
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.key {
		apiError(w, 401, "invalid_request_error", "Incorrect API key "+
			"provided: sk-admin-****cdef. You can find your API key at "+
			"https://platform.openai.com/account/api-keys.")
		return
	}
	if r.Method != http.MethodGet || r.URL.Path != costsPath {
		apiError(w, 404, "invalid_request_error", "Unknown request URL")
		return
	}
	off, limit, msg := f.check(r)
	if msg != "" {
		apiError(w, 400, "invalid_request_error", msg)
		return
	}
	f.page(w, off, min(limit, f.pageSize))
}

// check validates the query as the API would and returns the offset
// the page token stands for and the limit.
func (f *fake) check(r *http.Request) (int, int, string) {
	q := r.URL.Query()
	start, err1 := strconv.ParseInt(q.Get("start_time"), 10, 64)
	end, err2 := strconv.ParseInt(q.Get("end_time"), 10, 64)
	limit, err3 := strconv.Atoi(q.Get("limit"))
	switch {
	case err1 != nil || start != f.start:
		return 0, 0, "start_time: want " + strconv.FormatInt(f.start, 10)
	case err2 != nil || end != f.end:
		return 0, 0, "end_time: want " + strconv.FormatInt(f.end, 10)
	case q.Get("bucket_width") != "1d":
		return 0, 0, "bucket_width: want 1d"
	case err3 != nil || limit < 1 || limit > maxLimit:
		return 0, 0, "limit: want 1 to 180"
	}
	if tok := q.Get("page"); tok != "" {
		off, ok := f.tokens[tok]
		if !ok {
			return 0, 0, "page: unknown cursor"
		}
		return off, limit, ""
	}
	return 0, limit, ""
}

type amountJSON struct {
	Value    json.RawMessage `json:"value"`
	Currency string          `json:"currency"`
}

type resultJSON struct {
	Object    string     `json:"object"`
	Amount    amountJSON `json:"amount"`
	LineItem  *string    `json:"line_item"`
	ProjectID *string    `json:"project_id"`
}

type bucketJSON struct {
	Object    string       `json:"object"`
	StartTime int64        `json:"start_time"`
	EndTime   int64        `json:"end_time"`
	Results   []resultJSON `json:"results"`
}

type pageJSON struct {
	Object   string       `json:"object"`
	Data     []bucketJSON `json:"data"`
	HasMore  bool         `json:"has_more"`
	NextPage *string      `json:"next_page"`
}

// page writes up to n buckets from bucket number off.
func (f *fake) page(w http.ResponseWriter, off, n int) {
	total := int((f.end - f.start + day - 1) / day)
	p := pageJSON{Object: "page", Data: []bucketJSON{}}
	for i := off; i < total && i < off+n; i++ {
		s := f.start + int64(i)*day
		b := bucketJSON{Object: "bucket", StartTime: s,
			EndTime: s + day, Results: []resultJSON{}}
		for _, r := range f.days[s] {
			b.Results = append(b.Results, resultJSON{
				Object: "organization.costs.result",
				Amount: amountJSON{json.RawMessage(r.value), r.currency}})
		}
		p.Data = append(p.Data, b)
	}
	if off+n < total {
		tok := token(off + n)
		if f.tokens == nil {
			f.tokens = map[string]int{}
		}
		f.tokens[tok] = off + n
		p.HasMore, p.NextPage = true, &tok
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(p)
}

// token makes an opaque cursor with characters a query must escape.
func token(off int) string {
	b := base64.StdEncoding.EncodeToString(
		[]byte(fmt.Sprintf("2025-08-%02dT00:00:00Z", off)))
	return "page_" + b + "+/&="
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "param": nil, "code": nil}})
}

// sleeper records waits instead of sleeping.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return ctx.Err()
}

// serve starts f and returns a client to it that never really sleeps.
func serve(t *testing.T, f *fake, r fetch.Retry) (*Client, *sleeper) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	s := &sleeper{}
	r.Sleep = s.sleep
	return &Client{BaseURL: srv.URL, AdminKey: testKey,
		HTTP: srv.Client(), Retry: r}, s
}
