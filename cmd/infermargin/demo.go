package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/infermargin/infermargin/internal/demo"
)

func demoCommand() *cobra.Command {
	var o demo.Options
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a leader, a helper and simulated companies on this machine",
		Long: "demo starts a leader and a helper aggregator on loopback, " +
			"each with its own embedded store, and simulated OpenAI, " +
			"Anthropic and Stripe accounts of synthetic companies. Each " +
			"company makes its signing key and enrolls with both nodes " +
			"with one primary use case; both operators approve them and " +
			"define one cohort per use case. The last cohort gets a " +
			"smaller share of the companies, so that by default it is " +
			"too small for the public (n < 30) but not for its members " +
			"(n >= 10). Each company then runs the real collector: " +
			"fetch the month from the simulator, compute, upload the " +
			"secret-shared report over HTTP. The leader aggregates and " +
			"publishes every cohort for both tiers, shows the dashboard " +
			"a member of the small cohort sees, and serves the " +
			"public API until interrupted (or exits with --once). The " +
			"simulated history ends ten days after --period.",
		Example: "  infermargin demo\n" +
			"  infermargin demo --once --orgs 9 --cohorts 1    # too narrow to open\n" +
			"  infermargin demo --once --orgs 29 --cohorts 1   # private only\n" +
			"  infermargin demo --once --orgs 30 --cohorts 1   # public",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt,
				syscall.SIGTERM)
			defer stop()
			err := demo.Run(ctx, cmd.OutOrStdout(), o)
			if err != nil && ctx.Err() != nil {
				// Interrupted on purpose, mid-run: not a failure.
				fmt.Fprintln(cmd.ErrOrStderr(), "demo interrupted")
				return nil
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&o.Orgs, "orgs", 120, "number of synthetic companies")
	fl.IntVar(&o.Cohorts, "cohorts", 3, "cohorts the companies are spread over")
	fl.Uint64Var(&o.Seed, "seed", 1, "seed of the synthetic companies")
	fl.StringVar(&o.Period, "period", "2026-11", "month reported, YYYY-MM")
	fl.StringVar(&o.Listen, "listen", "127.0.0.1:8080",
		"address of the leader, which serves the public API")
	fl.StringVar(&o.Data, "data", "", "empty directory for keys and "+
		"stores (default: a temporary one, removed on exit)")
	fl.BoolVar(&o.Once, "once", false, "exit after publishing")
	return cmd
}
