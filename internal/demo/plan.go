package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/client/simulator"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/adminclient"
	"github.com/infermargin/infermargin/server/api"
)

// MaxCohorts is the number of primary use cases of methodology v1:
// the demo makes one cohort per use case.
const MaxCohorts = 8

// cohort is one cohort of the demo: all companies of one use case.
type cohort struct {
	id, useCase string
}

// cohortPlan says which cohort each simulated company joins.
type cohortPlan struct {
	m       *methodology.Methodology
	cohorts []cohort
	of      []int // cohort index by company index
	sim     []simulator.Company
}

// newCohortPlan spreads companies over k cohorts in proportion 3 to 3 to
// ... to 1: the last is the small one, private only by default.
func newCohortPlan(m *methodology.Methodology, sim []simulator.Company,
	k int) (*cohortPlan, error) {
	ucs := m.Vocabulary.UseCases
	if k > len(ucs) {
		return nil, fmt.Errorf("demo: %d cohorts, but methodology %s has "+
			"%d use cases", k, m.Version, len(ucs))
	}
	p := &cohortPlan{m: m, sim: sim}
	weights := make([]int, k)
	for i := range k {
		uc := ucs[i].ID
		p.cohorts = append(p.cohorts, cohort{useCase: uc,
			id: strings.ReplaceAll(uc, "_", "-")})
		weights[i] = 3
		if i == k-1 && k > 1 {
			weights[i] = 1
		}
	}
	p.of = spread(len(sim), weights)
	return p, nil
}

// spread gives n items to groups in proportion to weights, the
// remainder one each to the first groups, and returns each item's
// group, items of a group together.
func spread(n int, weights []int) []int {
	total := 0
	for _, w := range weights {
		total += w
	}
	sizes, given := make([]int, len(weights)), 0
	for i, w := range weights {
		sizes[i] = n * w / total
		given += sizes[i]
	}
	for i := 0; given < n; i++ {
		sizes[i]++
		given++
	}
	out := make([]int, 0, n)
	for g, size := range sizes {
		for range size {
			out = append(out, g)
		}
	}
	return out
}

// answers are company i's questionnaire answers: its cohort's use case,
// and an ARR band and team size that vary among companies.
func (p *cohortPlan) answers(i int) methodology.Answers {
	v := &p.m.Vocabulary
	return methodology.Answers{UseCase: p.cohorts[p.of[i]].useCase,
		ARRBand:  v.ARRBands[i%3].ID,
		TeamSize: v.TeamSizes[i%4].ID}
}

// result is what became of one cohort's batch.
type result struct {
	cohort  cohort
	batch   aggregation.BatchID
	members int
	opened  bool
	reason  string // why it did not open
	reports map[aggregation.Tier]*api.Report
}

// tier returns the report of a tier if it was published with numbers.
func (r *result) tier(t aggregation.Tier) *api.Report {
	rep := r.reports[t]
	if rep == nil || rep.Summary().Suppressed {
		return nil
	}
	return rep
}

// verdict says in a few words who may read the cohort's result.
func (r *result) verdict() string {
	switch {
	case !r.opened:
		return "not opened, too narrow"
	case r.tier(aggregation.Public) != nil:
		return fmt.Sprintf("public and private, %d reports",
			r.reports[aggregation.Public].Count)
	case r.tier(aggregation.Private) != nil:
		return fmt.Sprintf("private only, %d reports",
			r.reports[aggregation.Private].Count)
	}
	return "suppressed"
}

// operators are the two operators' bootstrap accounts.
type operators [2]*adminclient.Client

// operators returns the admin clients of both nodes, with the operator
// token node.LocalConfigs wrote.
func (p *nodePair) operators(dir string) (operators, error) {
	var ops operators
	tok, err := os.ReadFile(filepath.Join(dir, "admin.token"))
	if err != nil {
		return ops, err
	}
	for role, url := range p.urls {
		ops[role] = &adminclient.Client{URL: url,
			Token: strings.TrimSpace(string(tok))}
	}
	return ops, nil
}

// approveChunk is how many companies one decision names, to stay within
// the admin body limit.
const approveChunk = 1000

// approve has each operator approve every company's enrollment.
func (ops operators) approve(ctx context.Context,
	cs []*company) error {
	for _, op := range ops {
		for i := 0; i < len(cs); i += approveChunk {
			var ids []string
			for _, c := range cs[i:min(i+approveChunk, len(cs))] {
				ids = append(ids, c.ID)
			}
			if _, err := op.ApproveEnrollments(ctx, ids,
				"demo company"); err != nil {
				return fmt.Errorf("demo: approve: %w", err)
			}
		}
	}
	return nil
}

// define defines each cohort on both nodes and opens its batch for
// period through the leader. A cohort too narrow to open is noted,
// with the leader's reason, not an error.
func (ops operators) define(ctx context.Context, p *cohortPlan,
	period string) ([]*result, error) {
	var out []*result
	for _, c := range p.cohorts {
		var got [2]*api.Cohort
		for role, op := range ops {
			var err error
			got[role], err = op.DefineCohort(ctx, api.CohortDefinition{
				ID: c.id, Criteria: methodology.Criteria{UseCase: c.useCase},
				Reason: "demo cohort"})
			if err != nil {
				return nil, fmt.Errorf("demo: define %s: %w", c.id, err)
			}
		}
		if got[0].Digest != got[1].Digest {
			return nil, fmt.Errorf("demo: the nodes hold %s differently",
				got[0].Ref)
		}
		r := &result{cohort: c, members: len(got[0].Members),
			batch: aggregation.BatchID{Cohort: got[0].Ref, Period: period,
				Methodology: p.m.Version},
			reports: map[aggregation.Tier]*api.Report{}}
		_, err := ops[aggregation.Leader].OpenBatch(ctx, r.batch,
			"demo batch")
		switch {
		case errors.Is(err, aggregation.ErrNarrowCohort):
			r.reason = fmt.Sprintf("%d approved members, fewer than %d "+
				"(the private threshold): the leader refused to open a "+
				"batch", r.members, p.m.Thresholds.Private)
		case err != nil:
			return nil, fmt.Errorf("demo: open %s: %w", r.batch, err)
		default:
			r.opened = true
		}
		out = append(out, r)
	}
	return out, nil
}

// publish closes an opened batch on both nodes, has the leader
// aggregate it with the helper over HTTP, and publishes it for the
// public and for the cohort's members.
func (ops operators) publish(ctx context.Context, r *result) error {
	if !r.opened {
		return nil
	}
	for _, op := range ops {
		if _, err := op.CloseBatch(ctx, r.batch, ""); err != nil {
			return fmt.Errorf("demo: close %s: %w", r.batch, err)
		}
	}
	leader := ops[aggregation.Leader]
	if _, err := leader.Aggregate(ctx, r.batch, ""); err != nil {
		return fmt.Errorf("demo: aggregate %s: %w", r.batch, err)
	}
	for _, t := range []aggregation.Tier{aggregation.Public,
		aggregation.Private} {
		rep, err := leader.Publish(ctx, r.batch, t, "")
		if err != nil {
			return fmt.Errorf("demo: publish %s: %w", r.batch, err)
		}
		r.reports[t] = rep
	}
	return nil
}
