package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/client/submit"
	"github.com/infermargin/infermargin/client/synthetic"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
)

type demoFlags struct {
	orgs    int
	cohorts int
	seed    uint64
	period  string
	listen  string
	data    string
	once    bool
}

func demoCommand() *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a leader, a helper and synthetic companies on this machine",
		Long: "demo starts a leader and a helper aggregator on loopback, " +
			"each with its own embedded store, enrolls synthetic " +
			"companies spread round-robin over cohorts, uploads their " +
			"secret-shared reports over HTTP, aggregates, publishes, and " +
			"serves the public API until interrupted (or exits after " +
			"publishing with --once).",
		Example: "  infermargin demo\n" +
			"  infermargin demo --once --orgs 29 --cohorts 1   # suppressed\n" +
			"  infermargin demo --once --orgs 30 --cohorts 1   # published",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt,
				syscall.SIGTERM)
			defer stop()
			return runDemo(ctx, cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.orgs, "orgs", 120, "number of synthetic companies")
	fl.IntVar(&f.cohorts, "cohorts", 3, "cohorts the companies are spread over")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the synthetic companies")
	fl.StringVar(&f.period, "period", "2026-11", "month reported, YYYY-MM")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8080",
		"address of the leader, which serves the public API")
	fl.StringVar(&f.data, "data", "", "empty directory for keys and "+
		"stores (default: a temporary one, removed on exit)")
	fl.BoolVar(&f.once, "once", false, "exit after publishing")
	return cmd
}

func runDemo(ctx context.Context, out io.Writer, f demoFlags) error {
	if f.orgs < 1 || f.cohorts < 1 || f.cohorts > f.orgs {
		return errors.New("demo: want --orgs >= --cohorts >= 1")
	}
	dir, cleanup, err := demoDir(f.data)
	if err != nil {
		return err
	}
	defer cleanup()
	logf, err := os.Create(filepath.Join(dir, "nodes.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	log := slog.New(slog.NewJSONHandler(logf, nil))

	p, err := startPair(ctx, dir, f.listen, log)
	if err != nil {
		return err
	}
	defer p.close()
	reports, err := demoRun(ctx, p, f)
	if err != nil {
		return err
	}
	logs := filepath.Join(dir, "nodes.log")
	if f.data == "" {
		logs += " (removed on exit; keep it with --data DIR)"
	}
	printSummary(out, reports, p.urls[aggregation.Leader], logs)
	if f.once {
		return nil
	}
	fmt.Fprintln(out, "\nserving until interrupted (Ctrl-C)")
	select {
	case <-ctx.Done():
		return nil
	case err := <-p.errs:
		return err
	}
}

// demoDir returns the demo's directory: the one given, which must be
// empty or absent, or a temporary one removed afterwards.
func demoDir(data string) (string, func(), error) {
	if data == "" {
		d, err := os.MkdirTemp("", "infermargin-demo-")
		return d, func() { os.RemoveAll(d) }, err
	}
	entries, err := os.ReadDir(data)
	if err == nil && len(entries) > 0 {
		return "", nil, fmt.Errorf("demo --data %s: not empty; the demo "+
			"starts from nothing", data)
	}
	return data, func() {}, os.MkdirAll(data, 0o700)
}

// demoRun enrolls, uploads, aggregates and publishes every cohort.
func demoRun(ctx context.Context, p *demoPair, f demoFlags) (
	[]*api.Report, error) {
	m, err := methodology.Load("v1")
	if err != nil {
		return nil, err
	}
	batches := make([]aggregation.BatchID, f.cohorts)
	for i := range batches {
		batches[i] = aggregation.BatchID{
			Cohort: fmt.Sprintf("demo-%d@1", i+1), Period: f.period,
			Methodology: m.Version}
		for _, n := range p.nodes {
			if err := n.OpenBatch(ctx, batches[i]); err != nil {
				return nil, err
			}
		}
	}
	if err := demoUpload(ctx, p, m, batches, f); err != nil {
		return nil, err
	}
	var out []*api.Report
	for _, b := range batches {
		r, err := demoPublish(ctx, p, b)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// demoUpload enrolls each synthetic company with both nodes and uploads
// its report over HTTP, as the collector will.
func demoUpload(ctx context.Context, p *demoPair, m *methodology.Methodology,
	batches []aggregation.BatchID, f demoFlags) error {
	sub := submit.New(p.to[aggregation.Leader], p.to[aggregation.Helper], nil)
	gen := synthetic.New(f.seed)
	for i := range f.orgs {
		id := fmt.Sprintf("company-%04d", i+1)
		c, err := demoEnroll(ctx, p, m, id)
		if err != nil {
			return err
		}
		buckets, err := bucketsOf(m, gen.Next())
		if err != nil {
			return err
		}
		r, err := c.NewReport(batches[i%f.cohorts], buckets)
		if err != nil {
			return err
		}
		if _, err := sub.Submit(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

func demoEnroll(ctx context.Context, p *demoPair, m *methodology.Methodology,
	id string) (*aggregation.Client, error) {
	s, err := sign.GenerateSigner()
	if err != nil {
		return nil, err
	}
	v, err := s.Verifier()
	if err != nil {
		return nil, err
	}
	for _, n := range p.nodes {
		if err := n.Enroll(ctx, id, v); err != nil {
			return nil, err
		}
	}
	return aggregation.NewClient(m, id, s, p.shares[aggregation.Leader],
		p.shares[aggregation.Helper])
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

// demoPublish closes a batch on both nodes, has the leader aggregate it
// with the helper over HTTP, and publishes its public report.
func demoPublish(ctx context.Context, p *demoPair, b aggregation.BatchID) (
	*api.Report, error) {
	for _, n := range p.nodes {
		if err := n.CloseBatch(ctx, b); err != nil {
			return nil, err
		}
	}
	leader := p.nodes[aggregation.Leader]
	if _, err := leader.Aggregate(ctx, b); err != nil {
		return nil, err
	}
	return leader.Publish(ctx, b, aggregation.Public)
}

func printSummary(out io.Writer, reports []*api.Report, url, logs string) {
	fmt.Fprintf(out, "InferMargin demo: leader at %s\nnode logs: %s\n",
		url, logs)
	for _, r := range reports {
		fmt.Fprintf(out, "\n%s %s, %s tier, methodology %s: ", r.Cohort,
			r.Period, r.Tier, r.Methodology.Version)
		if r.Summary().Suppressed {
			fmt.Fprintf(out, "suppressed\n  %s\n", r.Metrics[0].Reason)
			continue
		}
		fmt.Fprintf(out, "published over %d reports\n", r.Count)
		for _, m := range r.Metrics {
			fmt.Fprintf(out, "  %-36s %s\n", m.Name, metricLine(m))
		}
	}
	fmt.Fprintf(out, "\npublic API: %s/v1/reports\n", url)
}

func metricLine(m api.ReportMetric) string {
	if m.Suppressed {
		return "suppressed: " + m.Reason
	}
	keys := make([]string, 0, len(m.Percentiles))
	for k := range m.Percentiles {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return len(keys[i]) < len(keys[j]) ||
			len(keys[i]) == len(keys[j]) && keys[i] < keys[j]
	})
	parts := []string{fmt.Sprintf("n=%-4d", *m.N)}
	for _, k := range keys {
		r := m.Percentiles[k]
		parts = append(parts, k+" "+methodology.Range{Lo: r.Lo,
			Hi: r.Hi}.String())
	}
	return strings.Join(parts, "  ")
}
