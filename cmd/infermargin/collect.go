package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/infermargin/infermargin/client/collect"
)

type collectFlags struct {
	config string
	period string
	dryRun bool
	json   bool
	yes    bool
}

func collectCommand() *cobra.Command {
	var f collectFlags
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Compute this month's metrics and upload the shared report",
		Long: "collect reads the providers named in the configuration " +
			"(keys are references to Vault, the environment or files, " +
			"never flag values), computes the five metrics of a month, " +
			"and shows every figure and bucket. Without --dry-run it then " +
			"says exactly what will leave the machine, asks, uploads the " +
			"secret-shared report to both aggregators and keeps their " +
			"signed receipts. Figures and metric values are never sent.",
		Example: "  infermargin collect --period 2026-11 --dry-run\n" +
			"  infermargin collect --period 2026-11 --dry-run --json\n" +
			"  infermargin collect --period 2026-11\n" +
			"  infermargin collect --period 2026-11 --yes --config c.yaml",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt,
				syscall.SIGTERM)
			defer stop()
			return runCollect(ctx, cmd.InOrStdin(), cmd.OutOrStdout(),
				cmd.ErrOrStderr(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", defaultCollectConfig(),
		"YAML configuration file")
	fl.StringVar(&f.period, "period", "", "month to report, YYYY-MM")
	fl.BoolVar(&f.dryRun, "dry-run", false,
		"fetch, compute and show; send nothing")
	fl.BoolVar(&f.json, "json", false, "print the summary as JSON")
	fl.BoolVar(&f.yes, "yes", false, "upload without asking")
	_ = cmd.MarkFlagRequired("period")
	return cmd
}

// defaultCollectConfig is collector.yaml in the user's config folder.
func defaultCollectConfig() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "collector.yaml"
	}
	return filepath.Join(dir, "infermargin", "collector.yaml")
}

func runCollect(ctx context.Context, in io.Reader, out, errw io.Writer,
	f collectFlags) error {
	c, err := collect.Load(f.config)
	if err != nil {
		return err
	}
	if !f.dryRun {
		if err := c.CheckKeys(); err != nil {
			return fmt.Errorf("config %s: %w", f.config, err)
		}
	}
	s, _, err := collect.Compute(ctx, c, f.period, errw)
	if err != nil {
		return err
	}
	if err := show(out, s, f.json); err != nil {
		return err
	}
	if f.dryRun {
		fmt.Fprintln(errw, "Dry run: nothing was sent.")
		return nil
	}
	return upload(ctx, c, s, in, errw, f.yes)
}

func show(w io.Writer, s *collect.Summary, asJSON bool) error {
	if asJSON {
		return s.WriteJSON(w)
	}
	return s.WriteText(w)
}

// upload describes the report on w, which is stderr so that --json
// output stays clean, asks unless yes, and sends.
func upload(ctx context.Context, c *collect.Config, s *collect.Summary,
	in io.Reader, w io.Writer, yes bool) error {
	u, err := collect.Prepare(c, s, nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(w)
	u.Describe(w)
	if !yes {
		ok, err := confirm(in, w)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintln(w, "Nothing was sent.")
			return nil
		}
	}
	paths, err := u.Send(ctx)
	for _, p := range paths {
		fmt.Fprintln(w, "receipt kept:", p)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Report %s uploaded to both aggregators.\n", u.Report.ID)
	return nil
}

// errNoAnswer means stdin ended before an answer; use --yes to upload
// without asking.
var errNoAnswer = errors.New("no answer on stdin; pass --yes to " +
	"upload without asking")

func confirm(in io.Reader, w io.Writer) (bool, error) {
	fmt.Fprint(w, "Upload this report? [y/N] ")
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		return false, errNoAnswer
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
