package fetch

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Retry is when and how long a Client waits before trying again. Its
// zero value is the policy the collector uses: 5 attempts, waits from
// 1s doubling up to 30s, and a Retry-After of up to 2 minutes honoured.
//
// Waits have no jitter: the collector makes one call at a time to each
// provider, so there is no herd to spread, and tests see exact waits.
type Retry struct {
	// Attempts is how many times a call is tried; zero means 5.
	Attempts int
	// Backoff is the wait before the second try when the provider
	// does not say how long, doubled for each try after; zero means 1s.
	Backoff time.Duration
	// MaxBackoff caps the doubling; zero means 30s.
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After honoured. A provider
	// that asks for longer fails the call instead of stalling the
	// collector; zero means 2 minutes.
	MaxRetryAfter time.Duration
	// Sleep waits d or until ctx is done, whichever is first, and
	// returns ctx.Err() in the second case; nil means a timer. Tests
	// pass one that records d and returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now reads the clock, to turn a Retry-After date into a wait; nil
	// means time.Now.
	Now func() time.Time
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 5
	}
	if r.Backoff <= 0 {
		r.Backoff = time.Second
	}
	if r.MaxBackoff <= 0 {
		r.MaxBackoff = 30 * time.Second
	}
	if r.MaxRetryAfter <= 0 {
		r.MaxRetryAfter = 2 * time.Minute
	}
	if r.Sleep == nil {
		r.Sleep = sleep
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	return r
}

// wait returns how long to wait after failed try number try (from 1).
// after is what the provider asked for, or negative if it did not say.
func (r Retry) wait(try int, after time.Duration) (time.Duration, error) {
	if after >= 0 {
		if after > r.MaxRetryAfter {
			return 0, fmt.Errorf("asked to wait %v, over the %v limit",
				after, r.MaxRetryAfter)
		}
		return after, nil
	}
	d := r.Backoff
	for i := 1; i < try && d < r.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, r.MaxBackoff), nil
}

// retryAfter reads how long the provider asks to wait: Retry-After in
// seconds or as an HTTP date, or OpenAI's retry-after-ms. It returns -1
// when the answer says nothing usable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseInt(v, 10, 32); err == nil && ms >= 0 {
			return time.Duration(ms) * time.Millisecond
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return -1
	}
	if s, err := strconv.ParseInt(v, 10, 32); err == nil {
		if s < 0 {
			return -1
		}
		return time.Duration(s) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return -1
	}
	return max(t.Sub(now), 0)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// WithDefaults returns r with its zero fields set to the policy's
// defaults, for a client that retries on its own, outside Client.Get.
func (r Retry) WithDefaults() Retry { return r.withDefaults() }

// Wait returns how long to wait after failed try number try (from 1),
// as Client.Get would: what h asks for in Retry-After (seconds or an
// HTTP date) or retry-after-ms, or else the capped doubling backoff. h
// is the failed answer's header, nil after a network error. The error
// says the provider asked to wait longer than MaxRetryAfter, and the
// call should fail instead.
func (r Retry) Wait(try int, h http.Header) (time.Duration, error) {
	r = r.withDefaults()
	after := time.Duration(-1)
	if h != nil {
		after = retryAfter(h, r.Now())
	}
	return r.wait(try, after)
}
