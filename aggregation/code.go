package aggregation

import "errors"

// codes maps each sentinel error to the short code that travels between
// aggregators and to HTTP clients, and is recorded as a drop reason.
var codes = []struct {
	err  error
	code string
}{
	{ErrMalformed, "malformed"},
	{ErrUnknownBatch, "unknown_batch"},
	{ErrBatchExists, "batch_exists"},
	{ErrBatchClosed, "batch_closed"},
	{ErrBatchOpen, "batch_open"},
	{ErrMethodology, "wrong_methodology"},
	{ErrUnknownCompany, "unknown_company"},
	{ErrSignature, "bad_signature"},
	{ErrDecrypt, "decrypt_failed"},
	{ErrReplay, "replayed_report"},
	{ErrWrongBatch, "wrong_batch"},
	{ErrUnknownReport, "unknown_report"},
	{ErrCounted, "already_counted"},
	{ErrInvalidShare, "invalid_share"},
	{ErrBelowThreshold, "below_threshold"},
	{ErrMismatch, "count_mismatch"},
	{ErrPending, "reports_pending"},
	{ErrStatement, "bad_statement"},
	{ErrUnknownJob, "unknown_job"},
	{ErrJobConflict, "job_conflict"},
	{ErrUnknownCohort, "unknown_cohort"},
	{ErrNotMember, "not_member"},
	{ErrNarrowCohort, "narrow_cohort"},
	{ErrCohortMismatch, "cohort_mismatch"},
	{ErrDifferencing, "differencing"},
}

// Code returns the short code of the first sentinel error err wraps, or
// "internal" for any other error.
func Code(err error) string {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return "internal"
}

// ErrorOf returns the sentinel error of a code, or nil for an unknown
// code. Transports use it to rebuild an error the peer reported.
func ErrorOf(code string) error {
	for _, c := range codes {
		if c.code == code {
			return c.err
		}
	}
	return nil
}
