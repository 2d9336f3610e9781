package stripe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/infermargin/infermargin/client/providers/fetch"
)

// retrier is an http.RoundTripper that sends a GET again after a
// network error, a 429 or a 5xx, waiting first as the shared fetch
// policy says: what Retry-After asks for, or the capped doubling
// backoff. stripe-go's own retries are off: they skip a plain 429 and
// their sleep ignores the context. Once the attempts run out it returns
// the last answer, so stripe-go turns it into its usual error.
type retrier struct {
	next http.RoundTripper
	// policy has its defaults set.
	policy fetch.Retry
	// timeout bounds each attempt, up to the end of its body; zero
	// means no bound. It stands in for http.Client.Timeout, which would
	// bound the attempts and the waits between them all together.
	timeout time.Duration
}

// RoundTrip sends req, and sends it again while the answer is worth
// retrying and the attempts last. A wait ends early, with the context's
// error, when req's context is done.
func (t *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	rec, _ := ctx.Value(triesKey{}).(*atomic.Int64)
	for try := 1; ; try++ {
		resp, err := t.send(req, try)
		if rec != nil {
			rec.Store(int64(try))
		}
		if !replayable(req) || !retryable(resp, err) ||
			try >= t.policy.Attempts || ctx.Err() != nil {
			return resp, err
		}
		var h http.Header
		if resp != nil {
			h = resp.Header
		}
		d, werr := t.policy.Wait(try, h)
		if werr != nil {
			// Stripe asks for a longer wait than the policy allows:
			// fail now rather than stall the collector.
			return resp, err
		}
		drain(resp)
		if err := t.policy.Sleep(ctx, d); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// send makes attempt number try of req, bounded by t.timeout.
func (t *retrier) send(req *http.Request, try int) (*http.Response,
	error) {
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if t.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
	}
	r := req
	if try > 1 || t.timeout > 0 {
		r = req.Clone(ctx)
	}
	if try > 1 && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			cancel()
			return nil, err
		}
		r.Body = body
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		if ctx.Err() != nil && req.Context().Err() == nil {
			// This attempt's own bound, not the caller's: a network
			// failure like any other, worth another try.
			err = fmt.Errorf("no answer within %v", t.timeout)
		}
		cancel()
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// replayable reports whether req may be sent again: a GET, which only
// reads, with no body or one that can be made again.
func replayable(req *http.Request) bool {
	return req.Method == http.MethodGet &&
		(req.Body == nil || req.Body == http.NoBody || req.GetBody != nil)
}

// retryable reports whether an attempt failed in a way worth trying
// again: a network error, a 429 or a 5xx.
func retryable(resp *http.Response, err error) bool {
	if err != nil {
		return true
	}
	return resp.StatusCode == http.StatusTooManyRequests ||
		resp.StatusCode >= 500
}

// maxDrain bounds what is read of an answer thrown away, so its
// connection can be reused.
const maxDrain = 64 << 10

// drain reads a little of resp's body and closes it.
func drain(resp *http.Response) {
	if resp == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	_ = resp.Body.Close()
}

// cancelBody ends an attempt's context once its body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// triesKey is the context key of a recorder of how many attempts the
// last request made.
type triesKey struct{}

// withTries returns ctx with a recorder the retrier sets to the
// attempts each request made; the list calls of a Fetch are sent one
// at a time, so after a failure it holds the failed request's.
func withTries(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, triesKey{}, n), n
}
