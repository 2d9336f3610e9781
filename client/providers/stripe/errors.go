package stripe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/infermargin/infermargin/client/providers/fetch"
)

// APIError is Stripe's answer other than 2xx to a list call. It
// matches fetch.ErrAuth for a 401, a 403 or a permission error, and
// fetch.ErrUnavailable for a 429 or a 5xx, with errors.Is.
type APIError struct {
	// Object is what was being listed, like "invoices".
	Object string
	// Status is the HTTP status.
	Status int
	// Type and Code are Stripe's error type and code, like
	// "invalid_request_error" and "secret_key_required".
	Type, Code string
	// Message is Stripe's message, with anything that looks like a
	// key removed, bounded.
	Message string
	// Attempts is how many times the failed call was tried; zero
	// means it is not known.
	Attempts int
}

// Error names the object, the status, Stripe's type, code and
// message, and for a refused key what to do about it.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stripe: list %s: status %d", e.Object, e.Status)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.Type != "" || e.Code != "" {
		fmt.Fprintf(&b, " (%s)", strings.Trim(e.Type+" "+e.Code, " "))
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	switch {
	case e.permission():
		fmt.Fprintf(&b, "; the restricted key lacks Read access to %s: %s",
			permissions[e.Object], keyHelp)
	case e.Status == http.StatusUnauthorized:
		b.WriteString("; the key is wrong, expired or revoked: " + keyHelp)
	}
	return b.String()
}

// Unwrap returns fetch.ErrAuth for a refused key, fetch.ErrUnavailable
// for a 429 or a 5xx, and nil otherwise.
func (e *APIError) Unwrap() error {
	switch {
	case e.permission() || e.Status == http.StatusUnauthorized:
		return fetch.ErrAuth
	case e.Status == http.StatusTooManyRequests || e.Status >= 500:
		return fetch.ErrUnavailable
	}
	return nil
}

// permission reports whether Stripe said the key may not read Object.
func (e *APIError) permission() bool {
	return e.Status == http.StatusForbidden ||
		e.Code == "secret_key_required" || e.Type == "permission_error"
}

// permissions names, by listed object, the Dashboard permission a
// restricted key needs to list it.
var permissions = map[string]string{
	"products":             "Products",
	"invoices":             "Invoices",
	"invoice lines":        "Invoices",
	"balance transactions": "Balance transactions (Balance)",
}

// listError turns an error of stripe-go while listing obj into one that
// names obj and Stripe's answer, and holds neither the key nor the
// answer's data.
func listError(obj string, err error, key fetch.Secret) error {
	var se *stripe.Error
	var ue *url.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return &APIError{Object: obj, Status: se.HTTPStatusCode,
			Type: string(se.Type), Code: string(se.Code),
			Message: clean(se.Msg, key)}
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("stripe: list %s: %w", obj, context.Canceled)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("stripe: list %s: %w", obj,
			context.DeadlineExceeded)
	case errors.As(err, &ue):
		return fmt.Errorf("stripe: list %s: %w: %w", obj,
			fetch.ErrUnavailable, ue.Err)
	}
	// stripe-go quotes the body of an answer it cannot decode, and the
	// body may hold amounts: say only that it was malformed.
	return fmt.Errorf("stripe: list %s: %w", obj, fetch.ErrMalformed)
}

// attempts notes on err, an error of a list call, how many times the
// failed call was tried, when more than once. A cancelled call is left
// as it is: it failed because it was told to stop.
func attempts(err error, n int64) error {
	var ae *APIError
	switch {
	case n <= 1 || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) && !errors.Is(err,
			fetch.ErrUnavailable):
		return err
	case errors.As(err, &ae):
		ae.Attempts = int(n)
		return err
	case errors.Is(err, fetch.ErrUnavailable):
		return fmt.Errorf("%w (after %d attempts)", err, n)
	}
	return err
}

// keyLike matches Stripe keys, masked or not ("rk_test_****abcd"), so a
// message quoting part of a key is cleaned even when it differs from
// the key sent.
var keyLike = regexp.MustCompile(`\b[srp]k_(live|test)_[A-Za-z0-9_*]*`)

// clean readies Stripe's message for an error: no key, nothing
// key-like, no control characters, bounded.
func clean(m string, key fetch.Secret) string {
	return fetch.Scrub(m, key, keyLike, "[redacted]")
}
