package aggregation

import (
	"context"
	"time"
)

// BatchState is where a batch is in its life.
type BatchState uint8

// A batch accepts reports while Open. Once Closed, its reports are
// aggregated and it may be released; nothing is uploaded to it again.
const (
	Open BatchState = iota
	Closed
)

// String returns "open" or "closed".
func (s BatchState) String() string {
	if s == Closed {
		return "closed"
	}
	return "open"
}

// Batch is an aggregator's record of one batch.
type Batch struct {
	ID       BatchID
	State    BatchState
	OpenedAt time.Time
	ClosedAt time.Time // zero while open
}

// StoredReport is an aggregator's copy of a report and whether an
// aggregation job has counted it.
type StoredReport struct {
	Report     *Report
	ReceivedAt time.Time
	Job        *JobID // the committed job that decided it; nil if none
}

// Job is a leader's claim on a set of reports, recorded before the helper
// is asked, so that a restarted leader resumes the same job.
type Job struct {
	ID      JobID
	Batch   BatchID
	Reports []ReportID
}

// Lease is a leader replica's hold on a job it claimed. Several replicas
// of one leader may share a store; a replica takes over another's
// uncommitted job only once its lease has ended. Leases are for
// progress, not safety: two replicas running one job send the helper
// the same job id, which it answers once, and only one commit succeeds.
type Lease struct {
	Holder string    // the replica's instance name
	Until  time.Time // when others may take the job over
}

// Outcome is one report's fate in a committed job.
type Outcome struct {
	ID       ReportID
	Accepted bool
	Reason   string // error code when not accepted
}

// JobResult is what one aggregator commits for one job: the fate of each
// report, its aggregate share over the accepted ones, and for the helper
// the answer it gave, returned again if the leader asks again.
type JobResult struct {
	Job      JobID
	Batch    BatchID
	Outcomes []Outcome
	AggShare [][]byte // one encoded vector per metric
	Response *JobResponse
}

// Store is the state an aggregator keeps. Every method is atomic; an
// implementation backed by a database runs each in one transaction.
// Package server/store holds the PostgreSQL and SQLite implementations
// and the conformance tests every implementation must pass.
type Store interface {
	// OpenBatch records a new open batch, or fails with ErrBatchExists.
	OpenBatch(ctx context.Context, b BatchID, at time.Time) error
	// Batch returns a batch, or ErrUnknownBatch.
	Batch(ctx context.Context, b BatchID) (*Batch, error)
	// CloseBatch closes an open batch; closing a closed one is a no-op.
	CloseBatch(ctx context.Context, b BatchID, at time.Time) error

	// PutReport stores r as its company's report in its batch, replacing
	// that company's earlier report. It fails with ErrUnknownBatch,
	// ErrBatchClosed, or ErrReplay when r.ID was ever stored before,
	// unless r is byte for byte the company's current report, in which
	// case it changes nothing and returns nil.
	PutReport(ctx context.Context, r *Report, at time.Time) error
	// Report returns a current (not replaced) report, or
	// ErrUnknownReport.
	Report(ctx context.Context, id ReportID) (*StoredReport, error)

	// ClaimJob records job id over up to n current reports of batch b
	// that no job holds yet, leased to l, and returns them; none left
	// gives an empty job and records nothing.
	ClaimJob(ctx context.Context, b BatchID, id JobID, n int,
		l Lease) (*Job, error)
	// PendingJobs takes over the claimed jobs of b not yet committed
	// whose lease is held by l.Holder or ended by now: it leases them to
	// l and returns them, oldest first.
	PendingJobs(ctx context.Context, b BatchID, l Lease,
		now time.Time) ([]*Job, error)
	// CommitJob records a job's result and marks as decided each report
	// of the job's batch that its outcomes name and no committed job
	// decided yet. It fails with ErrCounted if an accepted outcome names
	// a report that is not such a report, and with ErrJobConflict if the
	// job was already committed; nothing is written then.
	CommitJob(ctx context.Context, r *JobResult) error
	// JobResult returns a committed job's result, or ErrUnknownJob.
	JobResult(ctx context.Context, id JobID) (*JobResult, error)
	// Results returns every committed job result of batch b.
	Results(ctx context.Context, b BatchID) ([]*JobResult, error)
	// Undecided counts the current reports of b no committed job decided.
	Undecided(ctx context.Context, b BatchID) (int, error)

	// ReportCompanies maps each current report of b to its company.
	ReportCompanies(ctx context.Context, b BatchID) (
		map[ReportID]string, error)
	// Releases returns the releases recorded for batches of a period
	// and methodology, in the order recorded.
	Releases(ctx context.Context, period, methodology string) (
		[]*ReleaseRecord, error)
	// RecordRelease calls check with the releases recorded for r's
	// period and methodology and, if it returns nil, records r, as one
	// atomic step: no other release is recorded in between. Recording
	// a batch and tier again replaces the earlier record, which keeps
	// its place in the order. An error of
	// check is returned as it is and nothing is written.
	RecordRelease(ctx context.Context, r *ReleaseRecord,
		check func([]*ReleaseRecord) error) error
}
