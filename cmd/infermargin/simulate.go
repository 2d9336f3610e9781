package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/infermargin/infermargin/client/simulator"
	"github.com/infermargin/infermargin/internal/demo"
)

type simulateFlags struct {
	orgs    int
	seed    uint64
	listen  string
	latency time.Duration
	keys    string
}

func simulateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Serve made-up provider accounts to try the collector on",
		Long: "simulate serves synthetic data in place of real services, " +
			"so the collector can be watched at work before it is " +
			"given a real key.",
		Example: "  infermargin simulate providers --orgs 3",
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(simulateProvidersCommand())
	return cmd
}

func simulateProvidersCommand() *cobra.Command {
	var f simulateFlags
	cmd := &cobra.Command{
		Use:   "providers",
		Short: "Serve synthetic OpenAI, Anthropic and Stripe accounts",
		Long: "providers serves the OpenAI costs, Anthropic cost report " +
			"and Stripe APIs of synthetic companies on one address " +
			"until interrupted. Each company's keys are written to 0600 " +
			"files in --keys, and one line per company prints the " +
			"file:// references and AI products to put in a collector " +
			"configuration, with base_url set to the printed URL. Keys " +
			"are never printed. The data are made up; they end now.",
		Example: "  infermargin simulate providers\n" +
			"  infermargin simulate providers --orgs 3 --keys ./sim-keys\n" +
			"  infermargin simulate providers --latency 200ms  # slow APIs",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt,
				syscall.SIGTERM)
			defer stop()
			return runSimulate(ctx, cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.orgs, "orgs", 10, "number of synthetic companies")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the synthetic companies")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8090",
		"address to serve the three APIs on")
	fl.DurationVar(&f.latency, "latency", 0, "delay before every answer")
	fl.StringVar(&f.keys, "keys", "", "folder for the companies' key "+
		"files (default: a temporary one, removed on exit)")
	return cmd
}

func runSimulate(ctx context.Context, out io.Writer, f simulateFlags) error {
	if f.orgs < 1 || f.latency < 0 {
		return errors.New("simulate: want --orgs >= 1 and --latency >= 0")
	}
	dir, cleanup, err := keysDir(f.keys)
	if err != nil {
		return err
	}
	defer cleanup()
	sim := simulator.New(f.seed, f.orgs, time.Now())
	sim.Latency = f.latency
	srv, err := demo.ServeSimulator(ctx, sim, f.listen)
	if err != nil {
		return err
	}
	defer srv.Close()

	fmt.Fprintf(out, "simulated OpenAI, Anthropic and Stripe at %s "+
		"(each provider's base_url)\nkeys in %s\n\n", srv.URL, dir)
	for _, c := range sim.Companies() {
		refs, err := demo.WriteKeys(filepath.Join(dir, c.ID), c)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, companyLine(c, refs))
	}
	fmt.Fprintln(out, "\nserving until interrupted (Ctrl-C)")
	select {
	case <-ctx.Done():
		return nil
	case err := <-srv.Errs:
		return err
	}
}

// keysDir returns the folder given, created 0700, or a temporary one
// removed afterwards.
func keysDir(dir string) (string, func(), error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "infermargin-sim-keys-")
		return d, func() { os.RemoveAll(d) }, err
	}
	return dir, func() {}, os.MkdirAll(dir, 0o700)
}

// companyLine says what to configure for c: its key references and
// its AI products.
func companyLine(c simulator.Company, r demo.KeyRefs) string {
	parts := []string{c.ID}
	for _, k := range []struct{ name, ref string }{
		{"openai", r.OpenAI}, {"anthropic", r.Anthropic},
		{"stripe", r.Stripe},
	} {
		if k.ref != "" {
			parts = append(parts, k.name+"="+k.ref)
		}
	}
	if len(c.AIProductIDs) > 0 {
		parts = append(parts, "ai_products.ids="+
			strings.Join(c.AIProductIDs, ","))
	}
	if len(c.AIMetadata) > 0 {
		md := make([]string, 0, len(c.AIMetadata))
		for k, v := range c.AIMetadata {
			md = append(md, k+":"+v)
		}
		sort.Strings(md)
		parts = append(parts, "ai_products.metadata="+
			strings.Join(md, ","))
	}
	return strings.Join(parts, "  ")
}
