// Package memstore keeps an aggregator's state in memory. It is for
// tests and benchmarks of the protocol: nothing survives the process, and
// it is safe for concurrent use by one process only.
package memstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/infermargin/infermargin/aggregation"
)

type companyKey struct {
	batch   aggregation.BatchID
	company string
}

// Store is an in-memory aggregation.Store.
type Store struct {
	mu      sync.Mutex
	batches map[aggregation.BatchID]*aggregation.Batch
	seen    map[aggregation.ReportID]bool
	reports map[aggregation.ReportID]*aggregation.StoredReport
	current map[companyKey]aggregation.ReportID
	claimed map[aggregation.ReportID]aggregation.JobID
	jobs    map[aggregation.JobID]*aggregation.Job
	leases  map[aggregation.JobID]aggregation.Lease
	claims  []aggregation.JobID // in claim order
	results map[aggregation.JobID]*aggregation.JobResult
	order   []aggregation.JobID
	// releases are in the order first recorded; a batch and tier
	// recorded again keeps its place.
	releases []*aggregation.ReleaseRecord
}

// New returns an empty store.
func New() *Store {
	return &Store{
		batches: map[aggregation.BatchID]*aggregation.Batch{},
		seen:    map[aggregation.ReportID]bool{},
		reports: map[aggregation.ReportID]*aggregation.StoredReport{},
		current: map[companyKey]aggregation.ReportID{},
		claimed: map[aggregation.ReportID]aggregation.JobID{},
		jobs:    map[aggregation.JobID]*aggregation.Job{},
		leases:  map[aggregation.JobID]aggregation.Lease{},
		results: map[aggregation.JobID]*aggregation.JobResult{},
	}
}

var _ aggregation.Store = (*Store)(nil)

// OpenBatch implements aggregation.Store.
func (s *Store) OpenBatch(_ context.Context, b aggregation.BatchID,
	at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.batches[b]; ok {
		return fmt.Errorf("open %s: %w", b, aggregation.ErrBatchExists)
	}
	s.batches[b] = &aggregation.Batch{ID: b, State: aggregation.Open,
		OpenedAt: at}
	return nil
}

// Batch implements aggregation.Store.
func (s *Store) Batch(_ context.Context, b aggregation.BatchID) (
	*aggregation.Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bt, ok := s.batches[b]
	if !ok {
		return nil, fmt.Errorf("batch %s: %w", b, aggregation.ErrUnknownBatch)
	}
	c := *bt
	return &c, nil
}

// CloseBatch implements aggregation.Store.
func (s *Store) CloseBatch(_ context.Context, b aggregation.BatchID,
	at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	bt, ok := s.batches[b]
	if !ok {
		return fmt.Errorf("close %s: %w", b, aggregation.ErrUnknownBatch)
	}
	if bt.State == aggregation.Open {
		bt.State, bt.ClosedAt = aggregation.Closed, at
	}
	return nil
}

// PutReport implements aggregation.Store.
func (s *Store) PutReport(_ context.Context, r *aggregation.Report,
	at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	bt, ok := s.batches[r.Batch]
	switch {
	case !ok:
		return fmt.Errorf("batch %s: %w", r.Batch, aggregation.ErrUnknownBatch)
	case bt.State != aggregation.Open:
		return fmt.Errorf("batch %s: %w", r.Batch, aggregation.ErrBatchClosed)
	}
	key := companyKey{r.Batch, r.Company}
	if s.seen[r.ID] {
		cur, ok := s.reports[r.ID]
		if ok && s.current[key] == r.ID && sameReport(cur.Report, r) {
			return nil
		}
		return fmt.Errorf("report %s: %w", r.ID, aggregation.ErrReplay)
	}
	if old, ok := s.current[key]; ok {
		delete(s.reports, old)
	}
	s.seen[r.ID] = true
	s.current[key] = r.ID
	s.reports[r.ID] = &aggregation.StoredReport{Report: r, ReceivedAt: at}
	return nil
}

func sameReport(a, b *aggregation.Report) bool {
	x, _ := a.MarshalBinary()
	y, _ := b.MarshalBinary()
	return bytes.Equal(x, y)
}

// Report implements aggregation.Store.
func (s *Store) Report(_ context.Context, id aggregation.ReportID) (
	*aggregation.StoredReport, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.reports[id]
	if !ok {
		return nil, fmt.Errorf("report %s: %w", id,
			aggregation.ErrUnknownReport)
	}
	c := *r
	return &c, nil
}

// ClaimJob implements aggregation.Store.
func (s *Store) ClaimJob(_ context.Context, b aggregation.BatchID,
	id aggregation.JobID, n int, l aggregation.Lease) (*aggregation.Job,
	error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.batches[b]; !ok {
		return nil, fmt.Errorf("batch %s: %w", b, aggregation.ErrUnknownBatch)
	}
	job := &aggregation.Job{ID: id, Batch: b}
	for _, rid := range s.sortedReports(b) {
		if len(job.Reports) >= n { // n <= 0 claims nothing
			break
		}
		if _, taken := s.claimed[rid]; !taken {
			job.Reports = append(job.Reports, rid)
		}
	}
	if len(job.Reports) == 0 {
		return job, nil
	}
	if _, ok := s.jobs[id]; ok {
		return nil, fmt.Errorf("job %s: %w", id, aggregation.ErrJobConflict)
	}
	for _, rid := range job.Reports {
		s.claimed[rid] = id
	}
	s.jobs[id] = job
	s.leases[id] = l
	s.claims = append(s.claims, id)
	return job, nil
}

// sortedReports lists the current reports of b in a stable order.
func (s *Store) sortedReports(b aggregation.BatchID) []aggregation.ReportID {
	var ids []aggregation.ReportID
	for k, id := range s.current {
		if k.batch == b {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(x, y aggregation.ReportID) int {
		return bytes.Compare(x[:], y[:])
	})
	return ids
}

// PendingJobs implements aggregation.Store.
func (s *Store) PendingJobs(_ context.Context, b aggregation.BatchID,
	l aggregation.Lease, now time.Time) ([]*aggregation.Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*aggregation.Job
	for _, id := range s.claims {
		j, held := s.jobs[id], s.leases[id]
		_, done := s.results[id]
		free := held.Holder == l.Holder || !held.Until.After(now)
		if !done && j.Batch == b && free {
			s.leases[id] = l
			out = append(out, j)
		}
	}
	return out, nil
}

// CommitJob implements aggregation.Store.
func (s *Store) CommitJob(_ context.Context, r *aggregation.JobResult) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.results[r.Job]; ok {
		return fmt.Errorf("job %s: %w", r.Job, aggregation.ErrJobConflict)
	}
	// A report named twice is decided by its first outcome, so an
	// accepted second one would count it twice.
	decided := map[aggregation.ReportID]bool{}
	for _, o := range r.Outcomes {
		rep, ok := s.reports[o.ID]
		open := ok && rep.Job == nil && rep.Report.Batch == r.Batch &&
			!decided[o.ID]
		if o.Accepted && !open {
			return fmt.Errorf("report %s: %w", o.ID, aggregation.ErrCounted)
		}
		if open {
			decided[o.ID] = true
		}
	}
	for rid := range decided {
		id := r.Job
		s.reports[rid].Job = &id
		s.claimed[rid] = r.Job
	}
	s.results[r.Job] = r
	s.order = append(s.order, r.Job)
	return nil
}

// JobResult implements aggregation.Store.
func (s *Store) JobResult(_ context.Context, id aggregation.JobID) (
	*aggregation.JobResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.results[id]
	if !ok {
		return nil, fmt.Errorf("job %s: %w", id, aggregation.ErrUnknownJob)
	}
	return r, nil
}

// Results implements aggregation.Store.
func (s *Store) Results(_ context.Context, b aggregation.BatchID) (
	[]*aggregation.JobResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*aggregation.JobResult
	for _, id := range s.order {
		if r := s.results[id]; r.Batch == b {
			out = append(out, r)
		}
	}
	return out, nil
}

// Undecided implements aggregation.Store.
func (s *Store) Undecided(_ context.Context, b aggregation.BatchID) (int,
	error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, id := range s.current {
		if k.batch == b && s.reports[id].Job == nil {
			n++
		}
	}
	return n, nil
}
