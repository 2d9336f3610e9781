package demo

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/client/collect"
	"github.com/infermargin/infermargin/client/dashboard"
	"github.com/infermargin/infermargin/client/enroll"
	"github.com/infermargin/infermargin/client/simulator"
	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/node"
)

// company is one simulated company with its collector's files.
type company struct {
	simulator.Company
	cohort string // the id of the cohort it joins
	cfg    *collect.Config
}

// makeCompanies does for every simulated company what its founder
// does first: `infermargin org init` (a signing key under a KEK, and a
// questionnaire), the collector's configuration, and `infermargin org
// enroll` with both nodes.
func makeCompanies(ctx context.Context, p *nodePair, plan *cohortPlan,
	url, dir string) ([]*company, error) {
	kek, err := makeKEK(dir)
	if err != nil {
		return nil, err
	}
	cs := make([]*company, len(plan.sim))
	err = each(ctx, len(cs), func(ctx context.Context, i int) error {
		c := &company{Company: plan.sim[i],
			cohort: plan.cohorts[plan.of[i]].id}
		d := filepath.Join(dir, "companies", c.ID)
		if err := c.setUp(ctx, p, plan, url, d, kek); err != nil {
			return fmt.Errorf("demo %s: %w", c.ID, err)
		}
		if err := c.enroll(ctx, plan.answers(i)); err != nil {
			return fmt.Errorf("demo %s: %w", c.ID, err)
		}
		cs[i] = c
		return nil
	})
	return cs, err
}

// makeKEK creates the key-encryption key every demo company's signing
// key is encrypted under; real companies each have their own.
func makeKEK(dir string) (string, error) {
	path := filepath.Join(dir, "companies.kek")
	if err := keys.GenerateLocalKEK(path); err != nil {
		return "", err
	}
	return path, nil
}

// setUp makes the company's keys and its collector configuration,
// the aggregators filled in but for the cohort, known once defined.
func (c *company) setUp(ctx context.Context, p *nodePair,
	plan *cohortPlan, url, dir, kek string) error {
	refs, err := WriteKeys(dir, c.Company)
	if err != nil {
		return err
	}
	made, err := enroll.Init(ctx, enroll.Options{Dir: dir, Company: c.ID,
		KEK: kek, Methodology: plan.m})
	if err != nil {
		return err
	}
	l, h := p.dirs[aggregation.Leader], p.dirs[aggregation.Helper]
	c.cfg = &collect.Config{Providers: providersOf(c.Company, url, refs),
		Aggregators: &collect.Aggregators{
			Leader:             p.urls[aggregation.Leader],
			Helper:             p.urls[aggregation.Helper],
			Company:            c.ID,
			KEK:                kek,
			SigningKey:         made.SigningKey,
			LeaderShareKey:     filepath.Join(l, node.SharePubFile),
			HelperShareKey:     filepath.Join(h, node.SharePubFile),
			LeaderStatementKey: filepath.Join(l, node.StatementPubFile),
			HelperStatementKey: filepath.Join(h, node.StatementPubFile),
			ReceiptsDir:        filepath.Join(dir, "receipts")}}
	return c.cfg.Validate()
}

// enroll sends the company's enrollment, signed with its key, to both
// nodes, where it waits for each operator's approval.
func (c *company) enroll(ctx context.Context,
	a methodology.Answers) error {
	s, err := c.cfg.Signer(ctx)
	if err != nil {
		return err
	}
	req, err := enroll.NewRequest(&enroll.Questionnaire{Company: c.ID,
		Answers: a}, s)
	if err != nil {
		return err
	}
	for _, n := range enroll.Nodes(c.cfg, s) {
		if _, err := n.Enroll(ctx, req); err != nil {
			return err
		}
	}
	return nil
}

// collect runs the collector for period, as `infermargin collect
// --yes` does: fetch, compute, keep the metrics locally, upload.
func (c *company) collect(ctx context.Context, period string) error {
	s, _, err := collect.Compute(ctx, c.cfg, period, nil)
	if err != nil {
		return err
	}
	_, err = collect.Submit(ctx, c.cfg, s)
	return err
}

// dashboard writes what `infermargin dashboard` shows the founder of
// c: its own kept metrics against its cohort's private-tier result,
// read with requests signed by its key.
func (c *company) dashboard(ctx context.Context, out io.Writer,
	period string) error {
	l, err := c.cfg.ReadLocal(ctx, period)
	if err != nil {
		return err
	}
	s, err := c.cfg.Signer(ctx)
	if err != nil {
		return err
	}
	rs, err := dashboard.Fetch(ctx, enroll.Nodes(c.cfg, s)[0], period)
	if err != nil {
		return err
	}
	return dashboard.Build(c.ID, l, rs).WriteText(out)
}
