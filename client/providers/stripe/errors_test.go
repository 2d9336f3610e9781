package stripe

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/client/providers/fetch"
)

// sleeper records the waits asked for instead of sleeping.
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

// retrying returns a client of f that tries a call up to 3 times and
// records its waits instead of sleeping.
func retrying(t *testing.T, f *fake) (*Client, *sleeper) {
	t.Helper()
	c := serve(t, f, testKey)
	s := &sleeper{}
	c.Retries = 0
	c.Retry = fetch.Retry{Attempts: 3, Sleep: s.sleep,
		Now: func() time.Time { return epoch }}
	return c, s
}

func TestFetchRetries(t *testing.T) {
	busy := errorBody("invalid_request_error", "rate_limit",
		"Too many requests made to the API too quickly")
	lock := errorBody("invalid_request_error", "lock_timeout",
		"This object cannot be accessed right now")
	down := errorBody("api_error", "", "Something went wrong")
	tests := []struct {
		name      string
		replies   []reply
		wantCalls int
		wantWaits []time.Duration
	}{
		{"429 Stripe-Should-Retry", []reply{{429,
			map[string]string{"Stripe-Should-Retry": "true"}, busy}},
			minCalls + 1, []time.Duration{time.Second}},
		{"429 lock_timeout", []reply{{429, nil, lock}}, minCalls + 1,
			[]time.Duration{time.Second}},
		// A plain rate limit, which stripe-go itself would not retry.
		{"429 rate_limit Retry-After seconds", []reply{{429,
			map[string]string{"Retry-After": "1"}, busy}},
			minCalls + 1, []time.Duration{time.Second}},
		{"429 rate_limit Retry-After date", []reply{{429,
			map[string]string{"Retry-After": epoch.Add(7 * time.Second).
				Format(http.TimeFormat)}, busy}},
			minCalls + 1, []time.Duration{7 * time.Second}},
		{"500", []reply{{500, nil, down}}, minCalls + 1,
			[]time.Duration{time.Second}},
		{"503 twice", []reply{{503, nil, down}, {503, nil, down}},
			minCalls + 2, []time.Duration{time.Second, 2 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(account())
			f.fail["/v1/products"] = tt.replies
			c, sl := retrying(t, f)

			got, err := c.Fetch(context.Background(), aug1, sep1, ai)

			if err != nil {
				t.Fatalf("Fetch() error = %v, want nil", err)
			}
			if diff := cmp.Diff(account().want, *got, byID); diff != "" {
				t.Errorf("Fetch() mismatch (-want +got):\n%s", diff)
			}
			if c.Calls() != int64(tt.wantCalls) ||
				f.calls != tt.wantCalls {
				t.Errorf("Calls() = %d, fake saw %d, want %d", c.Calls(),
					f.calls, tt.wantCalls)
			}
			if diff := cmp.Diff(tt.wantWaits, sl.waits); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFetchRetriesGiveUp(t *testing.T) {
	down := errorBody("api_error", "",
		"Something went wrong with key "+testKey)
	busy := errorBody("invalid_request_error", "rate_limit",
		"Too many requests made to the API too quickly")
	tests := []struct {
		name      string
		path      string
		reply     reply
		wantCalls int
		wantWaits []time.Duration
		wantMsg   []string
	}{
		{"500 forever", "/v1/invoices", reply{500, nil, down}, 3,
			[]time.Duration{time.Second, 2 * time.Second},
			[]string{"list invoices", "status 500 after 3 attempts",
				"Something went wrong"}},
		// A wait over MaxRetryAfter fails at once, rather than stall.
		{"Retry-After too long", "/v1/products", reply{429,
			map[string]string{"Retry-After": "3600"}, busy}, 1, nil,
			[]string{"list products", "status 429", "rate_limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(account())
			f.fail[tt.path] = slices.Repeat([]reply{tt.reply}, 10)
			c, sl := retrying(t, f)

			_, err := c.Fetch(context.Background(), aug1, sep1, ai)

			checkErr(t, err, fetch.ErrUnavailable, tt.wantMsg)
			if n := int64(f.calls); c.Calls() != n {
				t.Errorf("Calls() = %d, fake saw %d", c.Calls(), n)
			}
			var failed int
			for _, p := range f.paths {
				if p == tt.path {
					failed++
				}
			}
			if failed != tt.wantCalls {
				t.Errorf("calls to %s = %d, want %d", tt.path, failed,
					tt.wantCalls)
			}
			if diff := cmp.Diff(tt.wantWaits, sl.waits); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFetchRetriesNetwork retries a connection closed without an
// answer, and gives up with ErrUnavailable.
func TestFetchRetriesNetwork(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(
		func(w http.ResponseWriter, _ *http.Request) {
			n.Add(1)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}))
	t.Cleanup(srv.Close)
	s := &sleeper{}
	c := &Client{BaseURL: srv.URL, Key: testKey, HTTP: srv.Client(),
		Retry: fetch.Retry{Attempts: 3, Sleep: s.sleep}}

	_, err := c.Fetch(context.Background(), aug1, sep1, ai)

	checkErr(t, err, fetch.ErrUnavailable,
		[]string{"list products", "after 3 attempts"})
	if c.Calls() != 3 || n.Load() != 3 {
		t.Errorf("Calls() = %d, server saw %d, want 3", c.Calls(), n.Load())
	}
}

// TestFetchRetryCancelled cancels the context during a real wait of a
// minute: Fetch must return at once with the context's error.
func TestFetchRetryCancelled(t *testing.T) {
	f := newFake(account())
	f.fail["/v1/products"] = []reply{{429,
		map[string]string{"Retry-After": "60"}, errorBody(
			"invalid_request_error", "rate_limit", "Too many requests")}}
	c := serve(t, f, testKey)
	c.Retries = 0
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(50*time.Millisecond, cancel)

	start := time.Now()
	_, err := c.Fetch(ctx, aug1, sep1, ai)

	if !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch() error = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Fetch() returned after %v, want at once", d)
	}
	if c.Calls() != 1 {
		t.Errorf("Calls() = %d, want 1", c.Calls())
	}
}

func TestFetchRefused(t *testing.T) {
	perm := errorBody("invalid_request_error", "",
		"The provided key '"+testKey[:8]+"***cdef' does not have the "+
			"required permissions for this endpoint on account "+
			"'acct_1'. Having the 'rak_balance_transaction_source_read' "+
			"permission would allow this request to continue.")
	tests := []struct {
		name    string
		path    string
		reply   reply
		wantMsg []string
	}{
		{"401", "/v1/products", reply{401, nil, errorBody(
			"invalid_request_error", "", "Invalid API Key provided: "+
				testKey)},
			[]string{"list products", "status 401", "revoked",
				"Create restricted key"}},
		{"403 balance", "/v1/balance_transactions", reply{403, nil, perm},
			[]string{"list balance transactions", "status 403",
				"lacks Read access to Balance transactions",
				"rak_balance_transaction_source_read"}},
		{"secret_key_required", "/v1/invoices", reply{400, nil,
			errorBody("invalid_request_error", "secret_key_required",
				"This API call cannot be made with a publishable key.")},
			[]string{"list invoices", "secret_key_required",
				"lacks Read access to Invoices"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(account())
			f.fail[tt.path] = []reply{tt.reply}
			c := serve(t, f, testKey)

			_, err := c.Fetch(context.Background(), aug1, sep1, ai)

			checkErr(t, err, fetch.ErrAuth, tt.wantMsg)
		})
	}
}

// checkErr checks err matches want, holds every msg and no key.
func checkErr(t *testing.T, err, want error, msgs []string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
	for _, m := range msgs {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error = %q, want it to contain %q", err, m)
		}
	}
	for _, k := range []string{testKey, "rk_test_", "sk_test_"} {
		if strings.Contains(err.Error(), k) {
			t.Errorf("error = %q, holds %q", err, k)
		}
	}
}

func TestFetchWrongKeyNotSent(t *testing.T) {
	for _, key := range []string{"sk_test_51SECRET", "sk_live_51SECRET",
		"pk_test_51PUB", ""} {
		f := newFake(account())
		c := serve(t, f, key)

		_, err := c.Fetch(context.Background(), aug1, sep1, ai)

		checkErr(t, err, ErrKeyKind, []string{"Create restricted key"})
		if !errors.Is(err, fetch.ErrKeyKind) {
			t.Errorf("Fetch(%.8s...) = %v, want fetch.ErrKeyKind", key, err)
		}
		if f.calls != 0 || c.Calls() != 0 {
			t.Errorf("Fetch(%.8s...) sent %d calls, want 0", key, f.calls)
		}
	}
}

func TestFetchBadRange(t *testing.T) {
	f := newFake(account())
	c := serve(t, f, testKey)
	if _, err := c.Fetch(context.Background(), sep1, aug1, ai); err == nil {
		t.Error("Fetch(Sep 1, Aug 1) error = nil, want one")
	}
	if f.calls != 0 {
		t.Errorf("Fetch(Sep 1, Aug 1) sent %d calls, want 0", f.calls)
	}
}

func TestFetchCancelled(t *testing.T) {
	c := serve(t, newFake(account()), testKey)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Fetch(ctx, aug1, sep1, ai)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch(cancelled) error = %v, want context.Canceled", err)
	}
}

func TestCheckKey(t *testing.T) {
	tests := []struct {
		key    string
		wantOK bool
		kind   string
	}{
		{"rk_live_51abc", true, ""},
		{"rk_test_51abc", true, ""},
		{"sk_live_51abc", false, "full secret key"},
		{"sk_test_51abc", false, "full secret key"},
		{"pk_live_51abc", false, "publishable key"},
		{"rk_test_51 abc", false, "spaces"},
		{"", false, "no key"},
		{"sk-admin-abc", false, "not a Stripe key"},
	}
	for _, tt := range tests {
		err := CheckKey(tt.key)
		if (err == nil) != tt.wantOK {
			t.Errorf("CheckKey(%.8s...) = %v, want ok %v", tt.key, err,
				tt.wantOK)
			continue
		}
		if err == nil {
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.kind) || !errors.Is(err, ErrKeyKind) {
			t.Errorf("CheckKey(%.8s...) = %q, want %q and ErrKeyKind",
				tt.key, msg, tt.kind)
		}
		if strings.Contains(msg, tt.key) && tt.key != "" {
			t.Errorf("CheckKey(%.8s...) = %q, echoes the key", tt.key, msg)
		}
	}
}
