package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const testKey = "sk-admin-TESTKEY0123456789abcdef"

// reply is one canned answer of a scripted server.
type reply struct {
	status int
	header map[string]string
	body   string
}

// script answers with its replies in turn, repeating the last one.
type script struct {
	mu      sync.Mutex
	replies []reply
	n       int
	queries []url.Values
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rp := s.replies[min(s.n, len(s.replies)-1)]
	s.n++
	s.queries = append(s.queries, r.URL.Query())
	s.mu.Unlock()
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rp.status)
	_, _ = w.Write([]byte(rp.body))
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

var epoch = time.Date(2025, 8, 1, 12, 0, 0, 0, time.UTC)

func newClient(t *testing.T, h http.Handler, r Retry) (*Client,
	*sleeper) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s := &sleeper{}
	r.Sleep = s.sleep
	r.Now = func() time.Time { return epoch }
	return &Client{Provider: "acme", BaseURL: srv.URL + "/",
		Key: testKey, KeyHeader: "Authorization", KeyPrefix: "Bearer ",
		AuthHint: "make an admin key", HTTP: srv.Client(), Retry: r,
		Calls: new(atomic.Int64)}, s
}

func ok(body string) reply { return reply{status: 200, body: body} }

func status(code int, header ...string) reply {
	rp := reply{status: code, header: map[string]string{},
		body: `{"error":{"type":"server_error","message":"try later"}}`}
	for i := 0; i+1 < len(header); i += 2 {
		rp.header[header[i]] = header[i+1]
	}
	return rp
}

func TestGetRetry(t *testing.T) {
	s := time.Second
	denied := reply{status: 401, body: `{"error":{"message":"Incorrect` +
		` API key provided: sk-admin-****cdef. Also ` + testKey +
		`.","type":"invalid_request_error","code":"invalid_api_key"}}`}
	tests := []struct {
		name      string
		replies   []reply
		retry     Retry
		wantCalls int64
		wantWaits []time.Duration
		wantErr   error
		wantMsg   []string
	}{
		{"ok", []reply{ok(`{}`)}, Retry{}, 1, nil, nil, nil},
		{"429 retry-after seconds",
			[]reply{status(429, "Retry-After", "7"), ok(`{}`)}, Retry{},
			2, []time.Duration{7 * s}, nil, nil},
		{"429 retry-after date",
			[]reply{status(429, "Retry-After",
				epoch.Add(30*s).Format(http.TimeFormat)), ok(`{}`)},
			Retry{}, 2, []time.Duration{30 * s}, nil, nil},
		{"429 retry-after date passed",
			[]reply{status(429, "Retry-After",
				epoch.Add(-30*s).Format(http.TimeFormat)), ok(`{}`)},
			Retry{}, 2, []time.Duration{0}, nil, nil},
		{"429 retry-after-ms",
			[]reply{status(429, "Retry-After-Ms", "1500"), ok(`{}`)},
			Retry{}, 2, []time.Duration{1500 * time.Millisecond}, nil,
			nil},
		{"429 unreadable retry-after backs off",
			[]reply{status(429, "Retry-After", "soon"), ok(`{}`)},
			Retry{}, 2, []time.Duration{s}, nil, nil},
		{"503 twice then ok",
			[]reply{status(503), status(503), ok(`{}`)}, Retry{}, 3,
			[]time.Duration{s, 2 * s}, nil, nil},
		{"529 overloaded then ok", []reply{status(529), ok(`{}`)},
			Retry{}, 2, []time.Duration{s}, nil, nil},
		{"500 forever", []reply{status(500)}, Retry{Attempts: 4}, 4,
			[]time.Duration{s, 2 * s, 4 * s}, ErrUnavailable,
			[]string{"acme /v1/things: status 500 after 4 attempts: " +
				"server_error: try later"}},
		{"backoff capped", []reply{status(502)},
			Retry{Attempts: 6, MaxBackoff: 3 * s}, 6,
			[]time.Duration{s, 2 * s, 3 * s, 3 * s, 3 * s},
			ErrUnavailable, []string{"status 502 after 6 attempts"}},
		{"retry-after over the limit",
			[]reply{status(429, "Retry-After", "3600")}, Retry{}, 1, nil,
			ErrUnavailable, []string{"status 429", "wait 1h0m0s"}},
		{"401", []reply{denied}, Retry{}, 1, nil, ErrAuth,
			[]string{"status 401: invalid_request_error: Incorrect API",
				"admin read scope", "make an admin key"}},
		{"403", []reply{{status: 403, body: `not json`}}, Retry{}, 1,
			nil, ErrAuth, []string{"acme /v1/things: status 403; the key"}},
		{"404 not retried", []reply{{status: 404}}, Retry{}, 1, nil, nil,
			[]string{"status 404"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, sl := newClient(t, &script{replies: tc.replies}, tc.retry)
			body, err := c.Get(context.Background(), "/v1/things", nil)
			checkErr(t, err, tc.wantErr, tc.wantMsg)
			if err == nil && string(body) != "{}" {
				t.Errorf("Get() = %q, want {}", body)
			}
			if got := c.Calls.Load(); got != tc.wantCalls {
				t.Errorf("Calls = %d, want %d", got, tc.wantCalls)
			}
			if diff := cmp.Diff(tc.wantWaits, sl.waits); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// checkErr checks err against a sentinel (or success when want and
// msgs are empty), the texts it must hold, and that it holds no key.
func checkErr(t *testing.T, err, want error, msgs []string) {
	t.Helper()
	if err == nil {
		if want != nil || len(msgs) > 0 {
			t.Fatalf("err = nil, want %v %q", want, msgs)
		}
		return
	}
	if want == nil && len(msgs) == 0 {
		t.Fatalf("err = %v, want nil", err)
	}
	if want != nil && !errors.Is(err, want) {
		t.Errorf("err = %v, want %v", err, want)
	}
	for _, m := range msgs {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("err = %q, want it to hold %q", err, m)
		}
	}
	for _, k := range []string{testKey, "TESTKEY", "cdef"} {
		if strings.Contains(err.Error(), k) {
			t.Errorf("err = %q holds the key (%q)", err, k)
		}
	}
}

func TestGetNetworkError(t *testing.T) {
	hang := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	c, sl := newClient(t, hang, Retry{Attempts: 3})
	q := url.Values{"start": {"secret-ish-query"}}
	_, err := c.Get(context.Background(), "/v1/things", q)
	checkErr(t, err, ErrUnavailable,
		[]string{"acme /v1/things: after 3 attempts"})
	if strings.Contains(err.Error(), "secret-ish-query") {
		t.Errorf("err = %q repeats the query", err)
	}
	if got := c.Calls.Load(); got != 3 || len(sl.waits) != 2 {
		t.Errorf("Calls, waits = %d, %d; want 3, 2", got, len(sl.waits))
	}
}

func TestGetHeaders(t *testing.T) {
	var got http.Header
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		_, _ = w.Write([]byte(`{}`))
	})
	c, _ := newClient(t, h, Retry{})
	c.Header = http.Header{"x-version": {"2023-06-01"}}
	if _, err := c.Get(context.Background(), "/", nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Authorization": "Bearer " + testKey,
		"X-Version": "2023-06-01", "Accept": "application/json"}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, got.Get(k), v)
		}
	}
}

func TestGetContext(t *testing.T) {
	t.Run("cancelled before", func(t *testing.T) {
		c, _ := newClient(t, &script{replies: []reply{ok(`{}`)}}, Retry{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Get(ctx, "/v1/things", nil)
		checkErr(t, err, context.Canceled, []string{"acme /v1/things"})
		if got := c.Calls.Load(); got != 0 {
			t.Errorf("Calls = %d, want 0", got)
		}
	})
	t.Run("cancelled while waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		c, _ := newClient(t, &script{replies: []reply{status(503)}},
			Retry{})
		c.Retry.Sleep = func(ctx context.Context, _ time.Duration) error {
			cancel()
			return ctx.Err()
		}
		_, err := c.Get(ctx, "/v1/things", nil)
		checkErr(t, err, context.Canceled, nil)
		if got := c.Calls.Load(); got != 1 {
			t.Errorf("Calls = %d, want 1", got)
		}
	})
	t.Run("cancelled in flight", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			cancel()
			w.WriteHeader(503)
		})
		c, sl := newClient(t, h, Retry{})
		_, err := c.Get(ctx, "/v1/things", nil)
		checkErr(t, err, context.Canceled, nil)
		if len(sl.waits) != 0 {
			t.Errorf("waits = %v after cancel, want none", sl.waits)
		}
	})
	t.Run("deadline cuts the real wait", func(t *testing.T) {
		c, _ := newClient(t, &script{replies: []reply{status(503)}},
			Retry{})
		c.Retry = Retry{Backoff: time.Hour}
		ctx, cancel := context.WithTimeout(context.Background(),
			20*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Get(ctx, "/v1/things", nil)
		checkErr(t, err, context.DeadlineExceeded, nil)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Get() took %v, want the deadline to stop it", d)
		}
	})
}

func TestGetBodyTooLarge(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(make([]byte, maxBody+1))
	})
	c, _ := newClient(t, h, Retry{})
	_, err := c.Get(context.Background(), "/v1/things", nil)
	checkErr(t, err, ErrMalformed, []string{"over"})
	if got := c.Calls.Load(); got != 1 {
		t.Errorf("Calls = %d, want 1", got)
	}
}

func TestMessage(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"error":{"message":"m","type":"t"}}`, "t: m"},
		{`{"type":"error","error":{"type":"authentication_error",` +
			`"message":"invalid x-api-key"}}`,
			"authentication_error: invalid x-api-key"},
		{`{"error":{"type":"overloaded_error"}}`, "overloaded_error"},
		{`{"error":{"message":"bad key ` + testKey + `"}}`,
			"bad key [redacted]"},
		{`{"error":{"message":"key sk-ant-admin01-abc_DEF-123 no"}}`,
			"key sk-[redacted] no"},
		{`{"error":{"message":"line\nbreak\u001b[31m"}}`,
			"line break [31m"},
		{`{"error":"flat string"}`, ""},
		{`<html>bad gateway</html>`, ""},
		{`{"error":{"message":"` + strings.Repeat("é", 400) + `"}}`,
			strings.Repeat("é", maxMessage) + "..."},
	}
	for _, tc := range tests {
		if got := message([]byte(tc.body), testKey); got != tc.want {
			t.Errorf("message(%.40s) = %q, want %q", tc.body, got,
				tc.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		header map[string]string
		want   time.Duration
	}{
		{nil, -1},
		{map[string]string{"Retry-After": "0"}, 0},
		{map[string]string{"Retry-After": "12"}, 12 * time.Second},
		{map[string]string{"Retry-After": "-3"}, -1},
		{map[string]string{"Retry-After": "1.5"}, -1},
		{map[string]string{"Retry-After": "99999999999"}, -1},
		{map[string]string{"Retry-After": epoch.Add(time.Minute).
			Format(http.TimeFormat)}, time.Minute},
		{map[string]string{"Retry-After-Ms": "250", "Retry-After": "9"},
			250 * time.Millisecond},
		{map[string]string{"Retry-After-Ms": "x", "Retry-After": "9"},
			9 * time.Second},
	}
	for _, tc := range tests {
		h := http.Header{}
		for k, v := range tc.header {
			h.Set(k, v)
		}
		if got := retryAfter(h, epoch); got != tc.want {
			t.Errorf("retryAfter(%v) = %v, want %v", tc.header, got,
				tc.want)
		}
	}
}

func TestGetRefusesRedirect(t *testing.T) {
	var leaked atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			leaked.Store(r.Header.Get("X-Api-Key") != "")
			_, _ = w.Write([]byte(`{}`))
		}))
	defer other.Close()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	})
	c, _ := newClient(t, h, Retry{})
	c.KeyHeader, c.KeyPrefix = "X-Api-Key", ""
	_, err := c.Get(context.Background(), "/v1/things", nil)
	checkErr(t, err, nil, []string{"status 302"})
	if leaked.Load() || c.Calls.Load() != 1 {
		t.Errorf("redirect followed (key sent: %v), calls %d; want "+
			"neither", leaked.Load(), c.Calls.Load())
	}
}
