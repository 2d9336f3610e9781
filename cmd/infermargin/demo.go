package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/aggregation/inprocess"
	"github.com/infermargin/infermargin/client/synthetic"
	"github.com/infermargin/infermargin/methodology"
	"github.com/spf13/cobra"
)

type demoFlags struct {
	orgs    int
	cohorts int
	seed    uint64
	period  string
}

func demoCommand() *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole protocol in one process on synthetic companies",
		Long: "demo enrolls synthetic companies, spreads them round-robin " +
			"over cohorts, secret-shares their metrics to an in-process " +
			"leader and helper, aggregates, and prints what would be " +
			"published. (The HTTP nodes and stores arrive with the next " +
			"issue; this runs the same protocol code in memory.)",
		Example: "  infermargin demo\n" +
			"  infermargin demo --orgs 29 --cohorts 1   # suppressed\n" +
			"  infermargin demo --orgs 30 --cohorts 1   # published",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.orgs, "orgs", 120, "number of synthetic companies")
	fl.IntVar(&f.cohorts, "cohorts", 3, "cohorts the companies are spread over")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the synthetic companies")
	fl.StringVar(&f.period, "period", "2026-11", "month reported, YYYY-MM")
	return cmd
}

func runDemo(ctx context.Context, out io.Writer, f demoFlags) error {
	if f.orgs < 1 || f.cohorts < 1 || f.cohorts > f.orgs {
		return errors.New("demo: want --orgs >= --cohorts >= 1")
	}
	m, err := methodology.Load("v1")
	if err != nil {
		return err
	}
	sys, err := inprocess.New(m)
	if err != nil {
		return err
	}
	batches, err := demoUpload(ctx, sys, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "methodology %s, digest %s\n", m.Version, m.Digest())
	for _, b := range batches {
		if err := demoPublish(ctx, out, sys, b); err != nil {
			return err
		}
	}
	return nil
}

// demoUpload opens one batch per cohort and uploads one report per
// company.
func demoUpload(ctx context.Context, sys *inprocess.System,
	f demoFlags) ([]aggregation.BatchID, error) {
	batches := make([]aggregation.BatchID, f.cohorts)
	for i := range batches {
		batches[i] = aggregation.BatchID{
			Cohort: fmt.Sprintf("demo-%d@1", i+1), Period: f.period,
			Methodology: sys.Methodology.Version}
		if err := sys.Open(ctx, batches[i]); err != nil {
			return nil, err
		}
	}
	gen := synthetic.New(f.seed)
	for i := range f.orgs {
		c, err := sys.Enroll(fmt.Sprintf("company-%04d", i+1))
		if err != nil {
			return nil, err
		}
		buckets, err := bucketsOf(sys.Methodology, gen.Next())
		if err != nil {
			return nil, err
		}
		r, err := c.NewReport(batches[i%f.cohorts], buckets)
		if err != nil {
			return nil, err
		}
		errs := sys.Upload(ctx, r)
		if err := errors.Join(errs[:]...); err != nil {
			return nil, err
		}
	}
	return batches, nil
}

func bucketsOf(m *methodology.Methodology, c synthetic.Company) ([]uint64,
	error) {
	out := make([]uint64, len(m.Metrics))
	for i := range m.Metrics {
		b, err := m.Metrics[i].BucketOf(c[m.Metrics[i].Name])
		if err != nil {
			return nil, err
		}
		out[i] = uint64(b)
	}
	return out, nil
}

// demoPublish closes, aggregates and publishes one batch, public tier
// first and private tier when the public one is refused.
func demoPublish(ctx context.Context, out io.Writer, sys *inprocess.System,
	b aggregation.BatchID) error {
	if err := sys.Close(ctx, b); err != nil {
		return err
	}
	st, err := sys.Aggregate(ctx, b, 100)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\ncohort %s, %s: %d reports accepted, %d dropped\n",
		b.Cohort, b.Period, st.Accepted, st.Rejected)
	for _, tier := range []aggregation.Tier{aggregation.Public,
		aggregation.Private} {
		p, err := sys.Publish(ctx, b, tier)
		if errors.Is(err, aggregation.ErrBelowThreshold) {
			fmt.Fprintf(out, "  %s: suppressed (%v)\n", tier, err)
			continue
		}
		if err != nil {
			return err
		}
		printPublished(out, p)
		return nil
	}
	return nil
}

func printPublished(out io.Writer, p *aggregation.Published) {
	fmt.Fprintf(out, "  %s: published over %d reports\n", p.Tier, p.Count)
	for _, pm := range p.Metrics {
		if pm.Suppressed {
			fmt.Fprintf(out, "    %-36s suppressed: %s\n", pm.Name, pm.Reason)
			continue
		}
		var parts []string
		for _, pc := range pm.Percentiles {
			parts = append(parts, fmt.Sprintf("p%d %s", pc.P, pc.Range))
		}
		fmt.Fprintf(out, "    %-36s n=%-4d %s\n", pm.Name, pm.N,
			strings.Join(parts, "  "))
	}
}
