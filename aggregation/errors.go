package aggregation

import "errors"

// Errors a report, job or release is refused with. Each names one cause,
// so that callers can map it to a clear answer without parsing text.
var (
	ErrMalformed      = errors.New("malformed message")
	ErrUnknownBatch   = errors.New("unknown batch")
	ErrBatchExists    = errors.New("batch already open")
	ErrBatchClosed    = errors.New("batch is closed")
	ErrBatchOpen      = errors.New("batch is still open")
	ErrMethodology    = errors.New("report made for another methodology")
	ErrUnknownCompany = errors.New("company is not enrolled")
	ErrSignature      = errors.New("report signature does not verify")
	ErrDecrypt        = errors.New("share does not decrypt for this report, batch and role")
	ErrReplay         = errors.New("report id was already used")
	ErrWrongBatch     = errors.New("report belongs to another batch")
	ErrUnknownReport  = errors.New("report not held by this aggregator")
	ErrCounted        = errors.New("report already aggregated")
	ErrInvalidShare   = errors.New("share fails verification")
	ErrBelowThreshold = errors.New("too few reports to release")
	ErrMismatch       = errors.New("aggregators disagree on the reports counted")
	ErrPending        = errors.New("batch has reports not yet aggregated")
	ErrStatement      = errors.New("statement does not verify")
	ErrUnknownJob     = errors.New("unknown aggregation job")
	ErrJobConflict    = errors.New("aggregation job id reused with other reports")
)

// Errors of cohort governance: who may report into a batch, whether a
// batch may open and whether a release may leave.
var (
	ErrUnknownCohort  = errors.New("unknown cohort version")
	ErrNotMember      = errors.New("company is not a member of the batch's cohort")
	ErrNarrowCohort   = errors.New("cohort too narrow to open a batch")
	ErrCohortMismatch = errors.New("aggregators hold different cohort versions")
	ErrDifferencing   = errors.New("release would reveal companies by difference")
)
