package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/store/internal/record"
)

// ClaimJob implements aggregation.Store.
func (s *Store) ClaimJob(ctx context.Context, b aggregation.BatchID,
	id aggregation.JobID, n int, l aggregation.Lease) (*aggregation.Job,
	error) {
	job := &aggregation.Job{ID: id, Batch: b}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := batchExists(ctx, tx, b); err != nil || n <= 0 {
			return err
		}
		ids, err := unclaimed(ctx, tx, b, n)
		if err != nil || len(ids) == 0 {
			return err
		}
		job.Reports = ids
		return insertJob(ctx, tx, job, l)
	})
	if err != nil {
		return nil, fmt.Errorf("claim job %s in %s: %w", id, b, err)
	}
	return job, nil
}

func batchExists(ctx context.Context, tx *sql.Tx, b aggregation.BatchID) error {
	var ok bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM batches
		WHERE `+batchKey+`)`, batchArgs(b)...).Scan(&ok)
	if err == nil && !ok {
		err = fmt.Errorf("batch %s: %w", b, aggregation.ErrUnknownBatch)
	}
	return err
}

// unclaimed lists up to n reports of b that no job holds, in id order.
func unclaimed(ctx context.Context, tx *sql.Tx, b aggregation.BatchID,
	n int) ([]aggregation.ReportID, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM reports
		WHERE `+batchKey+` AND claimed_by IS NULL AND decided_by IS NULL
		ORDER BY id LIMIT ?4`, batchArgs(b, n)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var ids []aggregation.ReportID
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		id, err := record.ID(raw)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// insertJob records job, leased to l, and marks its reports claimed.
func insertJob(ctx context.Context, tx *sql.Tx, job *aggregation.Job,
	l aggregation.Lease) error {
	n, err := affected(tx.ExecContext(ctx, `INSERT INTO jobs (cohort,
		period, methodology, id, report_list, holder, lease_until)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING`,
		batchArgs(job.Batch, job.ID[:], record.JoinIDs(job.Reports),
			l.Holder, micros(l.Until))...))
	if err != nil {
		return err
	}
	if n == 0 {
		return aggregation.ErrJobConflict
	}
	for _, id := range job.Reports {
		_, err := tx.ExecContext(ctx, `UPDATE reports SET claimed_by = ?1
			WHERE id = ?2`, job.ID[:], id[:])
		if err != nil {
			return err
		}
	}
	return nil
}

// PendingJobs implements aggregation.Store.
func (s *Store) PendingJobs(ctx context.Context, b aggregation.BatchID,
	l aggregation.Lease, now time.Time) ([]*aggregation.Job, error) {
	var jobs []*aggregation.Job
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		jobs, err = pending(ctx, tx, b, l.Holder, now)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			_, err := tx.ExecContext(ctx, `UPDATE jobs
				SET holder = ?1, lease_until = ?2 WHERE id = ?3`,
				l.Holder, micros(l.Until), j.ID[:])
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pending jobs of %s: %w", b, err)
	}
	return jobs, nil
}

// pending lists the uncommitted jobs of b that holder holds or whose
// lease ended by now, oldest first.
func pending(ctx context.Context, tx *sql.Tx, b aggregation.BatchID,
	holder string, now time.Time) ([]*aggregation.Job, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, report_list FROM jobs
		WHERE `+batchKey+` AND committed = 0
			AND (holder = ?4 OR lease_until <= ?5)
		ORDER BY seq`, batchArgs(b, holder, micros(now))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var jobs []*aggregation.Job
	for rows.Next() {
		var id, reports []byte
		if err := rows.Scan(&id, &reports); err != nil {
			return nil, err
		}
		jid, err := record.ID(id)
		if err != nil {
			return nil, err
		}
		j := &aggregation.Job{ID: jid, Batch: b}
		if j.Reports, err = record.SplitIDs(reports); err != nil {
			return nil, fmt.Errorf("job %s: %w", j.ID, err)
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// CommitJob implements aggregation.Store.
func (s *Store) CommitJob(ctx context.Context, r *aggregation.JobResult) error {
	body, err := record.MarshalResult(r)
	if err != nil {
		return fmt.Errorf("commit job %s: %w", r.Job, err)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		n, err := affected(tx.ExecContext(ctx, `INSERT INTO job_results
			(cohort, period, methodology, job, body)
			VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING`,
			batchArgs(r.Batch, r.Job[:], body)...))
		if err != nil {
			return err
		}
		if n == 0 {
			return aggregation.ErrJobConflict
		}
		if err := decide(ctx, tx, r); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE jobs SET committed = 1
			WHERE id = ?1`, r.Job[:])
		return err
	})
	if err != nil {
		return fmt.Errorf("commit job %s: %w", r.Job, err)
	}
	return nil
}

// decide marks as decided by r's job each report its outcomes name that
// is of its batch and undecided, and fails with ErrCounted if an
// accepted outcome names any other. A report an earlier outcome of r
// decided is no longer undecided, so a report accepted twice in one
// result is refused: it would be counted twice.
func decide(ctx context.Context, tx *sql.Tx, r *aggregation.JobResult) error {
	for _, o := range r.Outcomes {
		n, err := affected(tx.ExecContext(ctx, `UPDATE reports
			SET decided_by = ?4
			WHERE `+batchKey+` AND id = ?5 AND decided_by IS NULL`,
			batchArgs(r.Batch, r.Job[:], o.ID[:])...))
		if err != nil {
			return err
		}
		if o.Accepted && n == 0 {
			return fmt.Errorf("report %s: %w", o.ID, aggregation.ErrCounted)
		}
	}
	return nil
}

// JobResult implements aggregation.Store.
func (s *Store) JobResult(ctx context.Context, id aggregation.JobID) (
	*aggregation.JobResult, error) {
	var body []byte
	err := s.db.QueryRowContext(ctx, `SELECT body FROM job_results
		WHERE job = ?1`, id[:]).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("job %s: %w", id, aggregation.ErrUnknownJob)
	}
	if err != nil {
		return nil, fmt.Errorf("job %s: %w", id, err)
	}
	return record.UnmarshalResult(body)
}

// Results implements aggregation.Store.
func (s *Store) Results(ctx context.Context, b aggregation.BatchID) (
	[]*aggregation.JobResult, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT body FROM job_results
		WHERE `+batchKey+` ORDER BY seq`, batchArgs(b)...)
	if err != nil {
		return nil, fmt.Errorf("results of %s: %w", b, err)
	}
	defer rows.Close()

	var out []*aggregation.JobResult
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("results of %s: %w", b, err)
		}
		r, err := record.UnmarshalResult(body)
		if err != nil {
			return nil, fmt.Errorf("results of %s: %w", b, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("results of %s: %w", b, err)
	}
	return out, nil
}
