package anthropic

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/infermargin/infermargin/client/providers/fetch"
)

const (
	testKey  = "sk-ant-admin01-TESTKEY0123456789abcdef"
	maxLimit = 31 // the cost report's documented maximum for 1d
)

// result is one cost line as the API sends it: amount is raw JSON, a
// decimal string of cents ("123.45").
type result struct{ amount, currency string }

// reply is a canned answer sent before the fake serves pages.
type reply struct {
	status int
	header map[string]string
	body   string
}

// fake emulates GET /v1/organizations/cost_report as documented: one
// bucket per UTC day in [starting_at, ending_at), empty results on
// days without spend, amounts as decimal strings in cents, at most
// limit buckets a page (and at most pageSize, to force paging), and an
// opaque next_page token that must come back exactly. It refuses a
// call without the x-api-key or the anthropic-version header.
type fake struct {
	key        string
	start, end time.Time
	days       map[time.Time][]result
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
	if r.Header.Get("X-Api-Key") != f.key {
		apiError(w, 401, "authentication_error", "invalid x-api-key")
		return
	}
	if r.Header.Get("Anthropic-Version") != Version {
		apiError(w, 400, "invalid_request_error",
			"anthropic-version: header is required")
		return
	}
	if r.Method != http.MethodGet || r.URL.Path != costPath {
		apiError(w, 404, "not_found_error", "Not found")
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
	limit, err := strconv.Atoi(q.Get("limit"))
	switch {
	case q.Get("starting_at") != f.start.Format(time.RFC3339):
		return 0, 0, "starting_at: want " + f.start.Format(time.RFC3339)
	case q.Get("ending_at") != f.end.Format(time.RFC3339):
		return 0, 0, "ending_at: want " + f.end.Format(time.RFC3339)
	case q.Get("bucket_width") != "1d":
		return 0, 0, "bucket_width: want 1d"
	case err != nil || limit < 1 || limit > maxLimit:
		return 0, 0, "limit: want 1 to 31"
	}
	if tok := q.Get("page"); tok != "" {
		off, ok := f.tokens[tok]
		if !ok {
			return 0, 0, "page: invalid cursor"
		}
		return off, limit, ""
	}
	return 0, limit, ""
}

type resultJSON struct {
	Currency      string          `json:"currency"`
	Amount        json.RawMessage `json:"amount"`
	WorkspaceID   *string         `json:"workspace_id"`
	Description   *string         `json:"description"`
	CostType      *string         `json:"cost_type"`
	ContextWindow *string         `json:"context_window"`
	Model         *string         `json:"model"`
	ServiceTier   *string         `json:"service_tier"`
	TokenType     *string         `json:"token_type"`
}

type bucketJSON struct {
	StartingAt string       `json:"starting_at"`
	EndingAt   string       `json:"ending_at"`
	Results    []resultJSON `json:"results"`
}

type pageJSON struct {
	Data     []bucketJSON `json:"data"`
	HasMore  bool         `json:"has_more"`
	NextPage *string      `json:"next_page"`
}

// page writes up to n buckets from bucket number off.
func (f *fake) page(w http.ResponseWriter, off, n int) {
	total := int(f.end.Sub(f.start).Hours()+23) / 24
	p := pageJSON{Data: []bucketJSON{}}
	for i := off; i < total && i < off+n; i++ {
		s := f.start.AddDate(0, 0, i)
		b := bucketJSON{StartingAt: s.Format(time.RFC3339),
			EndingAt: s.AddDate(0, 0, 1).Format(time.RFC3339),
			Results:  []resultJSON{}}
		for _, r := range f.days[s] {
			b.Results = append(b.Results, resultJSON{
				Currency: r.currency, Amount: json.RawMessage(r.amount)})
		}
		p.Data = append(p.Data, b)
	}
	if off+n < total {
		tok := "page_" + base64.StdEncoding.EncodeToString(
			[]byte(f.start.AddDate(0, 0, off+n).Format(time.RFC3339)))
		if f.tokens == nil {
			f.tokens = map[string]int{}
		}
		f.tokens[tok] = off + n
		p.HasMore, p.NextPage = true, &tok
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(p)
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "error",
		"error": map[string]any{"type": typ, "message": msg}})
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
