package main

import (
	"bytes"
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
	"github.com/infermargin/infermargin/client/collect"
	"github.com/infermargin/infermargin/client/metrics"
	"github.com/infermargin/infermargin/client/simulator"
	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/node"
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
			"Anthropic and Stripe accounts of synthetic companies spread " +
			"round-robin over cohorts. For each company it enrolls a " +
			"signing key and runs the real collector: fetch the month " +
			"from the simulator, compute, upload the secret-shared " +
			"report over HTTP. It then aggregates, publishes, and " +
			"serves the public API until interrupted (or exits after " +
			"publishing with --once). The simulated history ends ten " +
			"days after --period.",
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
	reports, err := demoRun(ctx, p, sim.sim, sim.url, dir, f)
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

// demoRun collects, uploads, aggregates and publishes every cohort.
func demoRun(ctx context.Context, p *demoPair, sim *simulator.Simulator,
	url, dir string, f demoFlags) ([]*api.Report, error) {
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
	if err := demoUpload(ctx, p, sim, url, dir, f); err != nil {
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

// demoWorkers bounds the companies collected at once: enough to keep
// two cores busy while others wait on loopback HTTP.
const demoWorkers = 4

// demoUpload runs the real collector for every simulated company, as
// its founder would: enroll, fetch, compute, upload. It stops at the
// first error.
func demoUpload(ctx context.Context, p *demoPair, sim *simulator.Simulator,
	url, dir string, f demoFlags) error {
	kek, err := demoKEK(dir)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	errs := make(chan error, demoWorkers)
	var wg sync.WaitGroup
	cs := sim.Companies()
	for range demoWorkers {
		wg.Go(func() {
			for i := range jobs {
				c := demoCompany{Company: cs[i], kek: kek, url: url,
					cohort: fmt.Sprintf("demo-%d@1", i%f.cohorts+1),
					dir:    filepath.Join(dir, "companies", cs[i].ID)}
				if err := c.run(ctx, p, f.period); err != nil {
					errs <- fmt.Errorf("demo %s: %w", c.ID, err)
					cancel()
					return
				}
			}
		})
	}
	feed(ctx, jobs, len(cs))
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err() // interrupted before every company was fed
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

// demoKEK creates the key-encryption key every demo company's signing
// key is encrypted under; real companies each have their own.
func demoKEK(dir string) (string, error) {
	path := filepath.Join(dir, "companies.kek")
	if err := keys.GenerateLocalKEK(path); err != nil {
		return "", err
	}
	return path, nil
}

// demoCompany is one simulated company with its collector's files.
type demoCompany struct {
	simulator.Company
	kek, url, cohort, dir string
}

func (c *demoCompany) run(ctx context.Context, p *demoPair,
	period string) error {
	cfg, err := c.config(p)
	if err != nil {
		return err
	}
	if err := c.enroll(ctx, p, cfg.Aggregators.SigningKey); err != nil {
		return err
	}
	s, _, err := collect.Compute(ctx, cfg, period, nil)
	if err != nil {
		return err
	}
	_, err = collect.Submit(ctx, cfg, s)
	return err
}

// config writes the company's keys and returns the configuration a
// founder would write, with the aggregators filled in.
func (c *demoCompany) config(p *demoPair) (*collect.Config, error) {
	refs, err := writeKeys(c.dir, c.Company)
	if err != nil {
		return nil, err
	}
	l, h := p.dirs[aggregation.Leader], p.dirs[aggregation.Helper]
	cfg := &collect.Config{Providers: providersOf(c.Company, c.url, refs),
		Aggregators: &collect.Aggregators{
			Leader:  p.urls[aggregation.Leader],
			Helper:  p.urls[aggregation.Helper],
			Company: c.ID, Cohort: c.cohort, KEK: c.kek,
			SigningKey:         filepath.Join(c.dir, "signing.json"),
			LeaderShareKey:     filepath.Join(l, node.SharePubFile),
			HelperShareKey:     filepath.Join(h, node.SharePubFile),
			LeaderStatementKey: filepath.Join(l, node.StatementPubFile),
			HelperStatementKey: filepath.Join(h, node.StatementPubFile),
			ReceiptsDir:        filepath.Join(c.dir, "receipts")}}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// enroll creates the company's signing key, writes it encrypted under
// the demo KEK to path and enrolls its public key with both nodes.
func (c *demoCompany) enroll(ctx context.Context, p *demoPair,
	path string) error {
	kek, err := keys.LoadLocalKEK(c.kek)
	if err != nil {
		return err
	}
	s, err := sign.GenerateSigner()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	err = keys.WriteEncrypted(&b, s.Handle(), kek,
		collect.SigningPurpose(c.ID))
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		return err
	}
	v, err := s.Verifier()
	if err != nil {
		return err
	}
	for _, n := range p.nodes {
		if err := n.Enroll(ctx, c.ID, v); err != nil {
			return err
		}
	}
	return nil
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
