package aggregation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/infermargin/infermargin/crypto/vdaf"
)

// PrepInitMsg is the leader's prep shares for one report, or the code of
// the reason the leader dropped it, so the helper drops it too.
type PrepInitMsg struct {
	ID         ReportID
	PrepShares [][]byte
	Reason     string
}

// JobRequest asks the helper to prepare and aggregate one job's reports.
type JobRequest struct {
	Job     JobID
	Batch   BatchID
	Reports []PrepInitMsg
}

// PrepResult is the helper's answer for one report: the prep messages
// that let the leader finish, or the code of the reason it was dropped.
type PrepResult struct {
	ID       ReportID
	Messages [][]byte
	Reason   string
}

// JobResponse is the helper's answer to a JobRequest, one result per
// report in the request's order.
type JobResponse struct {
	Job     JobID
	Results []PrepResult
}

// Peer is the helper as the leader sees it. The helper's Aggregator
// implements it in process; package server implements it over HTTP.
type Peer interface {
	Aggregate(ctx context.Context, req *JobRequest) (*JobResponse, error)
	AggregateShare(ctx context.Context, req *ShareRequest) (*Release, error)
}

// JobStats counts what RunJobs did.
type JobStats struct {
	Jobs     int
	Accepted int
	Rejected int
}

// RunJobs aggregates every undecided report of a closed batch, size
// reports per job. It first finishes jobs a previous run claimed but did
// not commit, with the same job ids, so that a leader that stopped half
// way resumes and the helper, having committed them already, answers
// from its record instead of counting again.
func (a *Aggregator) RunJobs(ctx context.Context, b BatchID, peer Peer,
	size int) (JobStats, error) {
	var st JobStats
	if a.cfg.Role != Leader {
		return st, errors.New("run jobs: only the leader drives jobs")
	}
	if err := a.requireClosed(ctx, b); err != nil {
		return st, err
	}
	now := a.cfg.Now()
	pending, err := a.cfg.Store.PendingJobs(ctx, b, a.lease(now), now)
	if err != nil {
		return st, fmt.Errorf("pending jobs: %w", err)
	}
	for _, job := range pending {
		if err := a.runJob(ctx, job, peer, &st); err != nil {
			return st, err
		}
	}
	for {
		job, err := a.claim(ctx, b, size)
		if err != nil || len(job.Reports) == 0 {
			return st, err
		}
		if err := a.runJob(ctx, job, peer, &st); err != nil {
			return st, err
		}
	}
}

func (a *Aggregator) claim(ctx context.Context, b BatchID, size int) (*Job,
	error) {
	id, err := NewJobID()
	if err != nil {
		return nil, err
	}
	job, err := a.cfg.Store.ClaimJob(ctx, b, id, size, a.lease(a.cfg.Now()))
	if err != nil {
		return nil, fmt.Errorf("claim job: %w", err)
	}
	return job, nil
}

func (a *Aggregator) lease(now time.Time) Lease {
	return Lease{Holder: a.cfg.Instance, Until: now.Add(a.cfg.JobLease)}
}

func (a *Aggregator) requireClosed(ctx context.Context, b BatchID) error {
	bt, err := a.cfg.Store.Batch(ctx, b)
	if err != nil {
		return err
	}
	if bt.State != Closed {
		return fmt.Errorf("batch %s: %w", b, ErrBatchOpen)
	}
	return nil
}

// runJob is the leader's side of one job: prepare, ask the helper,
// finish and commit.
func (a *Aggregator) runJob(ctx context.Context, job *Job, peer Peer,
	st *JobStats) error {
	req := &JobRequest{Job: job.ID, Batch: job.Batch}
	states := map[ReportID]*vdaf.PrepState{}
	res := &JobResult{Job: job.ID, Batch: job.Batch}
	for _, id := range job.Reports {
		s, prep, err := a.prepStored(ctx, id, job.Batch)
		if err != nil {
			req.Reports = append(req.Reports,
				PrepInitMsg{ID: id, Reason: Code(err)})
			continue
		}
		states[id] = s
		req.Reports = append(req.Reports, PrepInitMsg{ID: id, PrepShares: prep})
	}

	resp, err := a.askHelper(ctx, peer, req)
	if err != nil {
		return err
	}

	agg := a.v.NewAggShare()
	for _, r := range resp.Results {
		o := a.finish(states[r.ID], r, agg)
		res.Outcomes = append(res.Outcomes, o)
	}
	return a.commit(ctx, res, agg, st)
}

func (a *Aggregator) askHelper(ctx context.Context, peer Peer,
	req *JobRequest) (*JobResponse, error) {
	if len(req.Reports) == 0 {
		return &JobResponse{Job: req.Job}, nil
	}
	resp, err := peer.Aggregate(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("job %s: helper: %w", req.Job, err)
	}
	if resp.Job != req.Job || len(resp.Results) != len(req.Reports) {
		return nil, fmt.Errorf("job %s: helper answered another job: %w",
			req.Job, ErrMalformed)
	}
	for i, r := range resp.Results {
		if r.ID != req.Reports[i].ID {
			return nil, fmt.Errorf("job %s: helper answered report %s "+
				"out of order: %w", req.Job, r.ID, ErrMalformed)
		}
	}
	return resp, nil
}

// finish completes one report on the leader with the helper's answer.
func (a *Aggregator) finish(s *vdaf.PrepState, r PrepResult,
	agg *vdaf.AggShare) Outcome {
	if r.Reason != "" || s == nil {
		return Outcome{ID: r.ID, Reason: r.Reason}
	}
	out, err := a.v.PrepNext(s, r.Messages)
	if err != nil {
		return reject(r.ID, fmt.Errorf("%w: %w", ErrInvalidShare, err))
	}
	agg.Add(out)
	return Outcome{ID: r.ID, Accepted: true}
}

func (a *Aggregator) commit(ctx context.Context, res *JobResult,
	agg *vdaf.AggShare, st *JobStats) error {
	var err error
	if res.AggShare, err = agg.Marshal(); err != nil {
		return err
	}
	if err := a.cfg.Store.CommitJob(ctx, res); err != nil {
		return fmt.Errorf("commit job %s: %w", res.Job, err)
	}
	st.Jobs++
	for _, o := range res.Outcomes {
		if o.Accepted {
			st.Accepted++
		} else {
			st.Rejected++
		}
	}
	return nil
}

// prepStored loads a report this aggregator holds and starts preparing
// it, checking that it belongs to batch b.
func (a *Aggregator) prepStored(ctx context.Context, id ReportID,
	b BatchID) (*vdaf.PrepState, [][]byte, error) {
	sr, err := a.cfg.Store.Report(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if sr.Report.Batch != b {
		return nil, nil, fmt.Errorf("report %s: %w", id, ErrWrongBatch)
	}
	if sr.Job != nil {
		return nil, nil, fmt.Errorf("report %s: %w", id, ErrCounted)
	}
	return a.prepInit(sr.Report)
}

func reject(id ReportID, err error) Outcome {
	return Outcome{ID: id, Reason: Code(err)}
}
