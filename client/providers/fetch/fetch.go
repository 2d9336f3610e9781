// Package fetch is the HTTP plumbing the provider clients share: a GET
// that retries politely and counts its calls, a walk over cursor pages,
// and errors that name the provider, the path and the status, quote the
// provider's own message, and never hold the key or an amount.
//
// It knows no provider's JSON beyond the error shape OpenAI and
// Anthropic share and the has_more/next_page cursor. It does not log,
// cache, or run calls in parallel: the collector reads a month of costs
// once, and one call at a time is the polite way to do it.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultTimeout bounds one call when Client.HTTP is nil.
const DefaultTimeout = time.Minute

// maxBody bounds one answer; a page of daily buckets is kilobytes.
const maxBody = 16 << 20

// Client GETs JSON from one provider's API. Set Provider, BaseURL and
// the key fields; the rest have usable zero values.
type Client struct {
	// Provider names the provider in errors, e.g. "openai".
	Provider string
	// BaseURL is the scheme and host, e.g. "https://api.openai.com".
	BaseURL string
	// Key is sent in the KeyHeader header after KeyPrefix (as in
	// "Authorization: Bearer <key>"), and removed from any text the
	// provider sends back before it reaches an error.
	Key       Secret
	KeyHeader string
	KeyPrefix string
	// Header holds other headers sent on every call, e.g. a version.
	Header http.Header
	// AuthHint follows the error of a 401 or a 403: how to get a key
	// that works.
	AuthHint string
	// HTTP sends the calls; nil means a client with DefaultTimeout.
	// Its CheckRedirect is ignored: redirects are never followed.
	HTTP *http.Client
	// Retry says when to try again and how long to wait first.
	Retry Retry
	// Calls counts every request sent, retries included; nil means
	// they are not counted.
	Calls *atomic.Int64
}

// Get returns the body of a 2xx answer to GET path?q. It tries again
// after a network error, a 429 or a 5xx, as c.Retry allows, and stops
// as soon as ctx is done.
func (c *Client) Get(ctx context.Context, path string, q url.Values) (
	[]byte, error) {
	r := c.Retry.withDefaults()
	u := strings.TrimRight(c.BaseURL, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	for try := 1; ; try++ {
		body, after, err := c.once(ctx, u, path, r.Now)
		if err == nil {
			return body, nil
		}
		if !errors.Is(err, ErrUnavailable) || try >= r.Attempts {
			return nil, c.fail(path, try, err)
		}
		d, werr := r.wait(try, after)
		if werr != nil {
			return nil, fmt.Errorf("%w; %w", c.fail(path, try, err), werr)
		}
		if err := pause(ctx, r, d); err != nil {
			return nil, fmt.Errorf("%s %s: %w", c.Provider, path, err)
		}
	}
}

// pause waits d with r.Sleep, unless ctx is already done.
func pause(ctx context.Context, r Retry, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.Sleep(ctx, d)
}

// once sends one GET. A failure worth retrying wraps ErrUnavailable;
// after is then how long the provider asked to wait, or -1.
func (c *Client) once(ctx context.Context, u, path string,
	now func() time.Time) ([]byte, time.Duration, error) {
	resp, err := c.send(ctx, u)
	if err != nil {
		return nil, -1, err
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, -1, fmt.Errorf("%w: read answer: %w", ErrUnavailable,
			err)
	}
	if len(body) > maxBody {
		return nil, -1, fmt.Errorf("%w: answer over %d bytes",
			ErrMalformed, maxBody)
	}
	if resp.StatusCode/100 == 2 {
		return body, -1, nil
	}
	return nil, retryAfter(resp.Header, now()), &StatusError{
		Provider: c.Provider, Path: path, Status: resp.StatusCode,
		Message: message(body, c.Key), Hint: c.AuthHint}
}

// send builds the request, counts it and sends it. A network error
// loses its URL, which would repeat the query, and wraps
// ErrUnavailable unless ctx is done.
func (c *Client) send(ctx context.Context, u string) (*http.Response,
	error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, errors.New("bad base URL")
	}
	for k, vs := range c.Header {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	req.Header.Set(c.KeyHeader, c.KeyPrefix+string(c.Key))
	req.Header.Set("Accept", "application/json")
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c.Calls != nil {
		c.Calls.Add(1)
	}
	resp, err := c.httpClient().Do(req)
	if err == nil {
		return resp, nil
	}
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// fail gives err the provider, the path and the attempts made.
func (c *Client) fail(path string, try int, err error) error {
	var se *StatusError
	if errors.As(err, &se) {
		se.Attempts = try
		return err
	}
	if try > 1 {
		return fmt.Errorf("%s %s: after %d attempts: %w", c.Provider,
			path, try, err)
	}
	return fmt.Errorf("%s %s: %w", c.Provider, path, err)
}

// httpClient returns c.HTTP, or a default, made to refuse redirects:
// Go forwards a custom key header such as x-api-key to wherever a
// redirect points, and the admin APIs never redirect, so a 3xx is
// returned as it is and fails the call.
func (c *Client) httpClient() *http.Client {
	hc := http.Client{Timeout: DefaultTimeout}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	return &hc
}
