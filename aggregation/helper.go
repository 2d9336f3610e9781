package aggregation

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/infermargin/infermargin/crypto/vdaf"
)

// Aggregate is the helper's side of one job. For each report it holds
// in the job's batch and has not counted, it prepares its own share,
// decides the proof with the leader's prep share, and adds the output
// share. The whole job is committed at once. A job it already committed
// is answered from its record, so a leader retrying after a lost answer
// or a restart never makes it count a report twice.
func (a *Aggregator) Aggregate(ctx context.Context, req *JobRequest) (
	*JobResponse, error) {
	if a.cfg.Role != Helper {
		return nil, errors.New("aggregate: only the helper answers jobs")
	}
	if err := a.requireClosed(ctx, req.Batch); err != nil {
		return nil, err
	}
	if err := checkUnique(req); err != nil {
		return nil, err
	}
	done, err := a.cfg.Store.JobResult(ctx, req.Job)
	if err == nil {
		return replay(done, req)
	}
	if !errors.Is(err, ErrUnknownJob) {
		return nil, err
	}

	resp := &JobResponse{Job: req.Job}
	res := &JobResult{Job: req.Job, Batch: req.Batch, Response: resp}
	agg := a.v.NewAggShare()
	for _, m := range req.Reports {
		r := a.helperPrep(ctx, req.Batch, m, agg)
		resp.Results = append(resp.Results, r)
		res.Outcomes = append(res.Outcomes, Outcome{ID: r.ID,
			Accepted: r.Reason == "", Reason: r.Reason})
	}

	if res.AggShare, err = agg.Marshal(); err != nil {
		return nil, err
	}
	if err := a.cfg.Store.CommitJob(ctx, res); err != nil {
		return nil, fmt.Errorf("commit job %s: %w", req.Job, err)
	}
	return resp, nil
}

// replay answers a job the helper already committed, if the leader asks
// about the same reports.
func replay(done *JobResult, req *JobRequest) (*JobResponse, error) {
	sent := make([]ReportID, len(req.Reports))
	for i, m := range req.Reports {
		sent[i] = m.ID
	}
	had := make([]ReportID, len(done.Response.Results))
	for i, r := range done.Response.Results {
		had[i] = r.ID
	}
	if done.Batch != req.Batch || !slices.Equal(sent, had) {
		return nil, fmt.Errorf("job %s: %w", req.Job, ErrJobConflict)
	}
	return done.Response, nil
}

// checkUnique refuses a job that names a report twice: preparing it twice
// would count it twice.
func checkUnique(req *JobRequest) error {
	seen := make(map[ReportID]bool, len(req.Reports))
	for _, m := range req.Reports {
		if seen[m.ID] {
			return fmt.Errorf("job %s: report %s twice: %w", req.Job, m.ID,
				ErrMalformed)
		}
		seen[m.ID] = true
	}
	return nil
}

func (a *Aggregator) helperPrep(ctx context.Context, b BatchID,
	m PrepInitMsg, agg *vdaf.AggShare) PrepResult {
	if m.Reason != "" {
		return PrepResult{ID: m.ID, Reason: m.Reason}
	}
	s, prep, err := a.prepStored(ctx, m.ID, b)
	if err != nil {
		return PrepResult{ID: m.ID, Reason: Code(err)}
	}
	msgs, err := a.v.Combine(m.PrepShares, prep)
	if err != nil {
		return PrepResult{ID: m.ID, Reason: Code(ErrInvalidShare)}
	}
	out, err := a.v.PrepNext(s, msgs)
	if err != nil {
		return PrepResult{ID: m.ID, Reason: Code(ErrInvalidShare)}
	}
	agg.Add(out)
	return PrepResult{ID: m.ID, Messages: msgs}
}
