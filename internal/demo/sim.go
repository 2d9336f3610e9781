package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/infermargin/infermargin/client/collect"
	"github.com/infermargin/infermargin/client/simulator"
)

// SimServer is a simulator serving on loopback.
type SimServer struct {
	Sim *simulator.Simulator
	// URL is the base URL of all three APIs.
	URL string
	// Errs receives the error that stopped serving, if any.
	Errs chan error
	srv  *http.Server
}

// ServeSimulator serves sim's three APIs at addr until ctx ends or
// Close.
func ServeSimulator(ctx context.Context, sim *simulator.Simulator,
	addr string) (*SimServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	s := &SimServer{Sim: sim, URL: "http://" + ln.Addr().String(),
		Errs: make(chan error, 1),
		srv: &http.Server{Handler: sim.Handler(),
			ReadHeaderTimeout: 10 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return ctx }}}
	go func() {
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.Errs <- err
		}
	}()
	return s, nil
}

// Close stops serving.
func (s *SimServer) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx) // the simulator holds nothing to lose
}

// KeyRefs are file:// references to one company's keys; "" for a
// provider the company does not use.
type KeyRefs struct {
	OpenAI, Anthropic, Stripe string
}

// WriteKeys writes c's keys to 0600 files in dir and returns their
// references.
func WriteKeys(dir string, c simulator.Company) (KeyRefs, error) {
	var r KeyRefs
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return r, err
	}
	for _, k := range []struct {
		name, key string
		ref       *string
	}{
		{"openai.key", c.OpenAIKey, &r.OpenAI},
		{"anthropic.key", c.AnthropicKey, &r.Anthropic},
		{"stripe.key", c.StripeKey, &r.Stripe},
	} {
		if k.key == "" {
			continue
		}
		p, err := filepath.Abs(filepath.Join(dir, k.name))
		if err != nil {
			return r, err
		}
		if err := os.WriteFile(p, []byte(k.key+"\n"), 0o600); err != nil {
			return r, fmt.Errorf("write %s key: %w", c.ID, err)
		}
		*k.ref = "file://" + p
	}
	return r, nil
}

// providersOf is the providers section a founder of c would write for
// a simulator at url.
func providersOf(c simulator.Company, url string,
	r KeyRefs) collect.Providers {
	var p collect.Providers
	if r.OpenAI != "" {
		p.OpenAI = &collect.AdminAPI{BaseURL: url, AdminKey: r.OpenAI}
	}
	if r.Anthropic != "" {
		p.Anthropic = &collect.AdminAPI{BaseURL: url, AdminKey: r.Anthropic}
	}
	p.Stripe = &collect.Stripe{BaseURL: url, RestrictedKey: r.Stripe,
		AIProducts: collect.AIProducts{IDs: c.AIProductIDs,
			Metadata: c.AIMetadata}}
	return p
}
