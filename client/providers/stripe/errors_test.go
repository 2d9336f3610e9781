package stripe

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/infermargin/infermargin/client/providers/fetch"
)

func TestFetchRetries(t *testing.T) {
	busy := errorBody("invalid_request_error", "rate_limit",
		"Too many requests made to the API too quickly")
	lock := errorBody("invalid_request_error", "lock_timeout",
		"This object cannot be accessed right now")
	tests := []struct {
		name      string
		reply     reply
		wantCalls int
		wantErr   error
	}{
		{"429 Stripe-Should-Retry", reply{429,
			map[string]string{"Stripe-Should-Retry": "true"}, busy},
			minCalls + 1, nil},
		{"429 lock_timeout", reply{429, nil, lock}, minCalls + 1, nil},
		{"500", reply{500, nil, errorBody("api_error", "",
			"Something went wrong")}, minCalls + 1, nil},
		// stripe-go does not retry a plain rate limit: it would add
		// to the contention.
		{"429 rate_limit", reply{429, nil, busy}, 1,
			fetch.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(account())
			f.fail["/v1/products"] = []reply{tt.reply}
			c := serve(t, f, testKey)
			c.Retries = 1

			_, err := c.Fetch(context.Background(), aug1, sep1, ai)

			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Fetch() error = %v, want %v", err, tt.wantErr)
			}
			if c.Calls() != int64(tt.wantCalls) {
				t.Errorf("Calls() = %d, want %d", c.Calls(), tt.wantCalls)
			}
		})
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
