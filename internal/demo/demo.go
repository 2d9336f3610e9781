// Package demo runs the whole system on one machine, the body of
// `infermargin demo`: a leader and a helper node on loopback, each with
// its own SQLite store, and simulated OpenAI, Anthropic and Stripe
// accounts of synthetic companies. Every step goes through the same
// code and HTTP APIs real founders and operators use: org init and
// enroll, approval, cohort definitions, batch opening, the collector,
// aggregation, publication for both tiers, the member's dashboard.
//
// It is a showcase and a smoke test, not a deployment: one process
// holds both operators' keys, and every company's signing key sits
// under one key-encryption key.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/client/metrics"
	"github.com/infermargin/infermargin/client/simulator"
	"github.com/infermargin/infermargin/methodology"
)

// Options say what the demo runs. Fields are required unless their
// comment says otherwise.
type Options struct {
	// Orgs is how many synthetic companies take part.
	Orgs int
	// Cohorts is how many cohorts, one per use case, at most
	// MaxCohorts; the last gets a third of the others' share.
	Cohorts int
	// Seed makes the synthetic companies.
	Seed uint64
	// Period is the month reported, YYYY-MM.
	Period string
	// Listen is the leader's address, which serves the public API.
	Listen string
	// Data is an empty folder for keys and stores; empty means a
	// temporary one, removed when Run returns.
	Data string
	// Once makes Run return after the summary instead of serving until
	// ctx ends.
	Once bool
}

// Run runs the demo and writes its summary to out.
func Run(ctx context.Context, out io.Writer, f Options) error {
	if f.Orgs < 1 || f.Cohorts < 1 || f.Cohorts > f.Orgs {
		return errors.New("demo: want --orgs >= --cohorts >= 1")
	}
	if f.Cohorts > MaxCohorts {
		return fmt.Errorf("demo: want --cohorts <= %d, one per use case",
			MaxCohorts)
	}
	dir, cleanup, err := dataDir(f.Data)
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

	now, err := simulatedNow(f.Period)
	if err != nil {
		return err
	}
	sim, err := ServeSimulator(ctx, simulator.New(f.Seed, f.Orgs, now),
		"127.0.0.1:0")
	if err != nil {
		return err
	}
	defer sim.Close()
	p, err := startPair(ctx, dir, f.Listen, log)
	if err != nil {
		return err
	}
	defer p.close()
	results, cs, err := run(ctx, p, sim.Sim, sim.URL, dir, f)
	if err != nil {
		return err
	}
	logs := filepath.Join(dir, "nodes.log")
	if f.Data == "" {
		logs += " (removed on exit; keep it with --data DIR)"
	}
	printSummary(out, results, p.urls[aggregation.Leader], logs)
	if err := showMember(ctx, out, cs, results, f.Period); err != nil {
		return err
	}
	if f.Once {
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

// dataDir returns the demo's directory: the one given, which must be
// empty or absent, or a temporary one removed afterwards.
func dataDir(data string) (string, func(), error) {
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

// simulatedNow is when the simulated history ends: ten days into the month
// after period, so that period is the last full month, as it is for a
// founder collecting on the tenth.
func simulatedNow(period string) (time.Time, error) {
	p, err := metrics.ParsePeriod(period)
	if err != nil {
		return time.Time{}, fmt.Errorf("demo --period: %w", err)
	}
	return p.End().AddDate(0, 0, 9), nil
}

// run takes every simulated company through what its founder and
// the two operators do: enroll, approve, define the cohorts, open
// their batches, collect and upload, then aggregate and publish each
// batch for both tiers.
func run(ctx context.Context, p *nodePair, sim *simulator.Simulator,
	url, dir string, f Options) ([]*result, []*company, error) {
	m, err := methodology.Load("v1")
	if err != nil {
		return nil, nil, err
	}
	plan, err := newCohortPlan(m, sim.Companies(), f.Cohorts)
	if err != nil {
		return nil, nil, err
	}
	cs, err := makeCompanies(ctx, p, plan, url, dir)
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
	results, err := ops.define(ctx, plan, f.Period)
	if err != nil {
		return nil, nil, err
	}
	if err := upload(ctx, p, cs, results, f.Period); err != nil {
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
func showMember(ctx context.Context, out io.Writer, cs []*company,
	results []*result, period string) error {
	var pick *result
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

// workers bounds the companies collected at once: enough to keep
// two cores busy while others wait on loopback HTTP.
const workers = 4

// each runs f for 0 to n-1 on workers goroutines and returns the
// first error, after which it starts no more.
func each(ctx context.Context, n int, f func(ctx context.Context,
	i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
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

// upload runs the real collector for every company whose cohort
// opened a batch, as its founder would: fetch, compute, upload.
func upload(ctx context.Context, p *nodePair, cs []*company,
	results []*result, period string) error {
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

func printSummary(out io.Writer, results []*result, url, logs string) {
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
				fmt.Fprintf(out, "  %-36s %s\n", m.Name, m.Text())
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
