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
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/client/metrics"
	"github.com/infermargin/infermargin/client/simulator"
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
	if f.cohorts > maxDemoCohorts {
		return fmt.Errorf("demo: want --cohorts <= %d, one per use case",
			maxDemoCohorts)
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

	now, err := demoNow(f.period)
	if err != nil {
		return err
	}
	sim, err := serveSimulator(ctx, simulator.New(f.seed, f.orgs, now),
		"127.0.0.1:0")
	if err != nil {
		return err
	}
	defer sim.close()
	p, err := startPair(ctx, dir, f.listen, log)
	if err != nil {
		return err
	}
	defer p.close()
	results, cs, err := demoRun(ctx, p, sim.sim, sim.url, dir, f)
	if err != nil {
		return err
	}
	logs := filepath.Join(dir, "nodes.log")
	if f.data == "" {
		logs += " (removed on exit; keep it with --data DIR)"
	}
	printSummary(out, results, p.urls[aggregation.Leader], logs)
	if err := showMember(ctx, out, cs, results, f.period); err != nil {
		return err
	}
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

// demoNow is when the simulated history ends: ten days into the month
// after period, so that period is the last full month, as it is for a
// founder collecting on the tenth.
func demoNow(period string) (time.Time, error) {
	p, err := metrics.ParsePeriod(period)
	if err != nil {
		return time.Time{}, fmt.Errorf("demo --period: %w", err)
	}
	return p.End().AddDate(0, 0, 9), nil
}

// demoRun takes every simulated company through what its founder and
// the two operators do: enroll, approve, define the cohorts, open
// their batches, collect and upload, then aggregate and publish each
// batch for both tiers.
func demoRun(ctx context.Context, p *demoPair, sim *simulator.Simulator,
	url, dir string, f demoFlags) ([]*demoResult, []*demoCompany, error) {
	m, err := methodology.Load("v1")
	if err != nil {
		return nil, nil, err
	}
	plan, err := newDemoPlan(m, sim.Companies(), f.cohorts)
	if err != nil {
		return nil, nil, err
	}
	cs, err := demoCompanies(ctx, p, plan, url, dir)
	if err != nil {
		return nil, nil, err
	}
	ops, err := p.operators(dir)
	if err != nil {
		return nil, nil, err
	}
	if err := ops.approve(ctx, cs); err != nil {
		return nil, nil, err
	}
	results, err := ops.define(ctx, plan, f.period)
	if err != nil {
		return nil, nil, err
	}
	if err := demoUpload(ctx, p, cs, results, f.period); err != nil {
		return nil, nil, err
	}
	for _, r := range results {
		if err := ops.publish(ctx, r); err != nil {
			return nil, nil, err
		}
	}
	return results, cs, nil
}

// showMember shows the dashboard of the first company of the last
// cohort with a private result, private-only if there is one: what a
// member sees, and nobody else can.
func showMember(ctx context.Context, out io.Writer, cs []*demoCompany,
	results []*demoResult, period string) error {
	var pick *demoResult
	for _, r := range results {
		if r.tier(aggregation.Private) != nil {
			pick = r
		}
	}
	if pick == nil {
		return nil
	}
	for _, c := range cs {
		if c.cohort == pick.cohort.id {
			fmt.Fprintf(out, "\nWhat a member of %s sees: `infermargin "+
				"dashboard --period %s` for %s\n\n", pick.batch.Cohort,
				period, c.ID)
			return c.dashboard(ctx, out, period)
		}
	}
	return nil
}

// demoWorkers bounds the companies collected at once: enough to keep
// two cores busy while others wait on loopback HTTP.
const demoWorkers = 4

// each runs f for 0 to n-1 on demoWorkers goroutines and returns the
// first error, after which it starts no more.
func each(ctx context.Context, n int, f func(ctx context.Context,
	i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	errs := make(chan error, demoWorkers)
	var wg sync.WaitGroup
	for range demoWorkers {
		wg.Go(func() {
			for i := range jobs {
				if err := f(ctx, i); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		})
	}
	feed(ctx, jobs, n)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err() // interrupted before every job was fed
}

// feed sends 0 to n-1 on jobs, then closes it, or stops early when ctx
// is done.
func feed(ctx context.Context, jobs chan<- int, n int) {
	defer close(jobs)
	for i := range n {
		select {
		case jobs <- i:
		case <-ctx.Done():
			return
		}
	}
}

// demoUpload runs the real collector for every company whose cohort
// opened a batch, as its founder would: fetch, compute, upload.
func demoUpload(ctx context.Context, p *demoPair, cs []*demoCompany,
	results []*demoResult, period string) error {
	refs := map[string]string{}
	for _, r := range results {
		if r.opened {
			refs[r.cohort.id] = r.batch.Cohort
		}
	}
	return each(ctx, len(cs), func(ctx context.Context, i int) error {
		c := cs[i]
		ref, ok := refs[c.cohort]
		if !ok {
			return nil
		}
		c.cfg.Aggregators.Cohort = ref
		if err := c.collect(ctx, period); err != nil {
			return fmt.Errorf("demo %s: %w", c.ID, err)
		}
		return nil
	})
}

func printSummary(out io.Writer, results []*demoResult, url, logs string) {
	fmt.Fprintf(out, "InferMargin demo: leader at %s\nnode logs: %s\n",
		url, logs)
	var public, private []string
	for _, r := range results {
		fmt.Fprintf(out, "\n%s (%s, %d members) %s, methodology %s: %s\n",
			r.batch.Cohort, r.cohort.useCase, r.members, r.batch.Period,
			r.batch.Methodology, r.verdict())
		switch {
		case !r.opened:
			fmt.Fprintf(out, "  %s\n", r.reason)
		case r.tier(aggregation.Public) != nil:
			public = append(public, r.batch.Cohort)
			for _, m := range r.tier(aggregation.Public).Metrics {
				fmt.Fprintf(out, "  %-36s %s\n", m.Name, metricLine(m))
			}
		case r.tier(aggregation.Private) != nil:
			private = append(private, r.batch.Cohort)
			fmt.Fprintf(out, "  public: suppressed, %s\n  private: "+
				"published; only its members read it, with requests "+
				"signed by their company key\n",
				r.reports[aggregation.Public].Metrics[0].Reason)
		}
	}
	fmt.Fprintf(out, "\npublic cohorts: %s\nprivate-only cohorts: %s\n",
		list(public), list(private))
	fmt.Fprintf(out, "public API: %s/v1/reports\n", url)
}

func list(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
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
