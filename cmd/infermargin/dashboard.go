package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/infermargin/infermargin/client/collect"
	"github.com/infermargin/infermargin/client/dashboard"
	"github.com/infermargin/infermargin/client/enroll"
)

type dashboardFlags struct {
	config, period string
	json           bool
}

func dashboardCommand() *cobra.Command {
	var f dashboardFlags
	cmd := &cobra.Command{
		Use:   "dashboard",
		Short: "Compare your metrics of a month with your cohorts'",
		Long: "dashboard reads the metrics `infermargin collect` kept on " +
			"this machine for a month, fetches your cohorts' private-tier " +
			"results from the leader with requests signed by your company " +
			"key, and shows per metric the percentile band you fall in, " +
			"as text and as a small chart. Your values are compared here " +
			"and never sent: the requests carry only your company id, " +
			"the time, the signature and the month.",
		Example: "  infermargin dashboard --period 2026-11\n" +
			"  infermargin dashboard --period 2026-11 --json " +
			"--config collector.yaml",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDashboard(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", defaultCollectConfig(),
		"collector configuration")
	fl.StringVar(&f.period, "period", "", "month to show, YYYY-MM")
	fl.BoolVar(&f.json, "json", false, "print the dashboard as JSON")
	_ = cmd.MarkFlagRequired("period")
	return cmd
}

func runDashboard(ctx context.Context, w io.Writer,
	f dashboardFlags) error {
	c, err := collect.LoadMember(f.config)
	if err != nil {
		return err
	}
	l, err := c.ReadLocal(ctx, f.period)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no metrics kept for %s in %s; run "+
			"`infermargin collect --period %s` first (a dry run is "+
			"enough)", f.period, c.MetricsDir(), f.period)
	}
	if err != nil {
		return err
	}
	s, err := c.Signer(ctx)
	if err != nil {
		return fmt.Errorf("config %s: %w", f.config, err)
	}
	leader := enroll.Nodes(c, s)[0]
	rs, err := dashboard.Fetch(ctx, leader, f.period)
	if err != nil {
		return err
	}
	v := dashboard.Build(c.Aggregators.Company, l, rs)
	if f.json {
		return v.WriteJSON(w)
	}
	return v.WriteText(w)
}
