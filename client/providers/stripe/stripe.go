// Package stripe reads a Stripe account's products, invoices and
// balance transactions with a restricted key (rk_live_... or
// rk_test_...), for the collector, and reduces them to the inputs of
// package metrics.
//
// It only reads: it lists /v1/products, /v1/invoices,
// /v1/invoices/{id}/lines and /v1/balance_transactions through
// stripe-go's list iterators, pinned to API version 2023-10-16, and
// sends nothing else. It refuses a full secret key (sk_...) before any
// request, never puts the key or an amount in an error, and keeps
// stripe-go from logging. It does not look at customers, charges or
// payment methods, and it does not compute anything: package metrics
// does.
package stripe

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/infermargin/infermargin/client/providers/fetch"
)

// DefaultBaseURL is where the API lives.
const DefaultBaseURL = "https://api.stripe.com"

// APIVersion is the Stripe API version every request is pinned to; the
// shapes this package reads are those of this version. It is
// stripe-go v76's own version, checked by a test.
const APIVersion = "2023-10-16"

// keyHelp tells a founder how to get a key that can read what the
// metrics need.
const keyHelp = "create a restricted key (rk_live_...) in the Stripe " +
	"Dashboard under Developers, API keys, Create restricted key, with " +
	"Read access to Products, Prices, Invoices and Balance " +
	"transactions (Balance) and None for everything else"

// ErrKeyKind means a key is not a restricted key and was refused
// before it was ever sent. It also matches fetch.ErrKeyKind.
var ErrKeyKind = errors.New("not a restricted key")

// Client reads one Stripe account with a restricted key. Its zero
// value, given a key, calls the real API with default retries. A
// Client may be used by several goroutines at once.
type Client struct {
	// BaseURL is the API's scheme and host; empty means
	// DefaultBaseURL. Tests point it at a fake.
	BaseURL string
	// Key is a restricted key, rk_live_... or rk_test_...
	Key fetch.Secret
	// HTTP sends the calls; nil means a client with a one-minute
	// timeout. Its Transport is wrapped to retry and count calls, its
	// Timeout bounds each attempt rather than all of them, and
	// redirects are never followed.
	HTTP *http.Client
	// Retry says when to try a call again and how long to wait first,
	// as for the other providers: after a network error, a 429 or a
	// 5xx, waiting what Retry-After asks or else a doubling backoff,
	// and never past the context's end. Its zero value is polite.
	Retry fetch.Retry
	// Retries, when not zero, overrides Retry.Attempts: it is how many
	// times a call may be tried again, and a negative value means
	// never.
	Retries int

	calls atomic.Int64
}

// Calls returns how many requests the client has sent, retries
// included, for the collector's report.
func (c *Client) Calls() int64 { return c.calls.Load() }

// CheckKey returns nil if key looks like a restricted key, and
// otherwise an error wrapping ErrKeyKind that names the kind of key it
// is (never the key) and how to create a restricted key.
func CheckKey(key string) error {
	kind := keyKind(key)
	if kind == "" {
		return nil
	}
	return &keyError{kind: kind}
}

// keyKind names what key is if it is not a restricted key, or "".
func keyKind(key string) string {
	switch {
	case key == "":
		return "no key given"
	case strings.ContainsFunc(key, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}):
		return "the key holds spaces or line breaks"
	case strings.HasPrefix(key, "rk_live_"),
		strings.HasPrefix(key, "rk_test_"):
		return ""
	case strings.HasPrefix(key, "sk_live_"),
		strings.HasPrefix(key, "sk_test_"):
		return "a full secret key (sk_...), which can also write " +
			"and refund; the collector takes a read-only restricted key"
	case strings.HasPrefix(key, "pk_"):
		return "a publishable key (pk_...)"
	}
	return "a value that is not a Stripe key"
}

// keyError is a key of the wrong kind.
type keyError struct{ kind string }

func (e *keyError) Error() string {
	return "stripe: " + e.kind + ": " + ErrKeyKind.Error() + ": " +
		keyHelp
}

// Is matches ErrKeyKind and fetch.ErrKeyKind, which the collector
// tests for every provider.
func (e *keyError) Is(target error) bool {
	return target == ErrKeyKind || target == fetch.ErrKeyKind
}

// api builds a stripe-go client that talks to c.BaseURL through the
// retrying, counting transport and logs nothing. stripe-go's own
// retries are off, so no call is retried twice over.
func (c *Client) api() *client.API {
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	b := stripe.GetBackendWithConfig(stripe.APIBackend,
		&stripe.BackendConfig{
			URL:               stripe.String(strings.TrimRight(base, "/")),
			HTTPClient:        c.httpClient(),
			MaxNetworkRetries: stripe.Int64(0),
			LeveledLogger:     discard{},
			EnableTelemetry:   stripe.Bool(false),
		})
	return client.New(string(c.Key), &stripe.Backends{API: b})
}

// policy is c.Retry with its defaults set and Retries applied.
func (c *Client) policy() fetch.Retry {
	r := c.Retry
	switch {
	case c.Retries < 0:
		r.Attempts = 1
	case c.Retries > 0:
		r.Attempts = c.Retries + 1
	}
	return r.WithDefaults()
}

// httpClient returns a copy of c.HTTP, or a default, that retries and
// counts its requests, every attempt, and refuses redirects, so the
// key never follows one. The timeout moves into the retrier, to bound
// each attempt and not the waits between them.
func (c *Client) httpClient() *http.Client {
	hc := http.Client{Timeout: time.Minute}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	hc.Transport = &retrier{next: &counter{next: rt, n: &c.calls},
		policy: c.policy(), timeout: hc.Timeout}
	hc.Timeout = 0
	hc.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	return &hc
}

// counter is an http.RoundTripper that counts the requests it sends.
type counter struct {
	next http.RoundTripper
	n    *atomic.Int64
}

// RoundTrip counts req and sends it.
func (t *counter) RoundTrip(req *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.next.RoundTrip(req)
}

// discard is a stripe-go logger that logs nothing: stripe-go's default
// logger would print request paths and Stripe's error messages.
type discard struct{}

func (discard) Debugf(string, ...any) {}
func (discard) Errorf(string, ...any) {}
func (discard) Infof(string, ...any)  {}
func (discard) Warnf(string, ...any)  {}

var _ stripe.LeveledLoggerInterface = discard{}
