package collect

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress writes one line per provider call: a plain line when it
// starts and one when it ends, or, on a terminal, one line redrawn
// every second with the time spent so far.
type progress struct {
	w    io.Writer
	tty  bool
	tick time.Duration
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, tty: isTerminal(w), tick: time.Second}
}

// isTerminal reports whether w is a character device, like a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// start announces a fetch and returns the function that ends it.
func (p *progress) start(provider, what string, from, to time.Time) func(
	calls int64, err error) {
	if p.w == nil {
		return func(int64, error) {}
	}
	msg := fmt.Sprintf("%s: reading %s from %s to %s", provider, what,
		from.Format(time.DateOnly), to.Format(time.DateOnly))
	t0 := time.Now()
	if !p.tty {
		fmt.Fprintln(p.w, msg)
		return func(calls int64, err error) {
			fmt.Fprintf(p.w, "%s: %s\n", provider, outcome(calls, err,
				time.Since(t0)))
		}
	}
	return p.spin(msg, provider, t0)
}

// spin redraws msg with the elapsed time until the returned function
// is called.
func (p *progress) spin(msg, provider string, t0 time.Time) func(
	int64, error) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(p.tick)
		defer t.Stop()
		for {
			fmt.Fprintf(p.w, "\r\033[K%s ... %s", msg,
				time.Since(t0).Round(time.Second))
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	return func(calls int64, err error) {
		close(stop)
		wg.Wait()
		fmt.Fprintf(p.w, "\r\033[K%s: %s\n", provider, outcome(calls, err,
			time.Since(t0)))
	}
}

func outcome(calls int64, err error, d time.Duration) string {
	s := "done"
	if err != nil {
		s = "failed"
	}
	return fmt.Sprintf("%s, %d API calls in %s", s, calls,
		d.Round(100*time.Millisecond))
}
