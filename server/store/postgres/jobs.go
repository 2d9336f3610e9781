package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/store/internal/record"
)

// ClaimJob implements aggregation.Store.
func (s *Store) ClaimJob(ctx context.Context, b aggregation.BatchID,
	id aggregation.JobID, n int, l aggregation.Lease) (*aggregation.Job,
	error) {
	job := &aggregation.Job{ID: id, Batch: b}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := batchExists(ctx, tx, b); err != nil || n <= 0 {
			return err
		}
		ids, err := lockUnclaimed(ctx, tx, b, n)
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

func batchExists(ctx context.Context, tx pgx.Tx, b aggregation.BatchID) error {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM batches
		WHERE `+batchKey+`)`, batchArgs(b)...).Scan(&ok)
	if err == nil && !ok {
		err = fmt.Errorf("batch %s: %w", b, aggregation.ErrUnknownBatch)
	}
	return err
}

// lockUnclaimed locks up to n reports of b that no job holds, in id
// order, skipping those another transaction is claiming right now.
func lockUnclaimed(ctx context.Context, tx pgx.Tx, b aggregation.BatchID,
	n int) ([]aggregation.ReportID, error) {
	// pgx reports a failed Query through rows, so here and below
	// CollectRows returns its error.
	rows, _ := tx.Query(ctx, `SELECT id FROM reports
		WHERE `+batchKey+` AND claimed_by IS NULL AND decided_by IS NULL
		ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED`, batchArgs(b, n)...)
	return pgx.CollectRows(rows, scanReportID)
}

func scanReportID(row pgx.CollectableRow) (aggregation.ReportID, error) {
	var b []byte
	if err := row.Scan(&b); err != nil {
		return aggregation.ReportID{}, err
	}
	id, err := record.ID(b)
	return aggregation.ReportID(id), err
}

// insertJob records job, leased to l, and marks its reports claimed.
func insertJob(ctx context.Context, tx pgx.Tx, job *aggregation.Job,
	l aggregation.Lease) error {
	tag, err := tx.Exec(ctx, `INSERT INTO jobs (cohort, period, methodology,
		id, report_list, holder, lease_until)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		batchArgs(job.Batch, job.ID[:], record.JoinIDs(job.Reports),
			l.Holder, ts(l.Until))...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return aggregation.ErrJobConflict
	}
	_, err = tx.Exec(ctx, `UPDATE reports SET claimed_by = $1
		WHERE id = ANY ($2)`, job.ID[:], byteIDs(job.Reports))
	return err
}

// PendingJobs implements aggregation.Store.
func (s *Store) PendingJobs(ctx context.Context, b aggregation.BatchID,
	l aggregation.Lease, now time.Time) ([]*aggregation.Job, error) {
	var jobs []*aggregation.Job
	err := s.tx(ctx, func(tx pgx.Tx) error {
		// A job another replica is committing or taking over right now
		// is locked: skip it rather than wait, it is being handled.
		rows, _ := tx.Query(ctx, `SELECT id, report_list FROM jobs
			WHERE `+batchKey+` AND NOT committed
				AND (holder = $4 OR lease_until <= $5)
			ORDER BY seq FOR UPDATE SKIP LOCKED`,
			batchArgs(b, l.Holder, ts(now))...)
		var err error
		jobs, err = pgx.CollectRows(rows, scanJob(b))
		if err != nil || len(jobs) == 0 {
			return err
		}
		ids := make([][]byte, len(jobs))
		for i, j := range jobs {
			ids[i] = j.ID[:]
		}
		_, err = tx.Exec(ctx, `UPDATE jobs SET holder = $1, lease_until = $2
			WHERE id = ANY ($3)`, l.Holder, ts(l.Until), ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pending jobs of %s: %w", b, err)
	}
	return jobs, nil
}

func scanJob(b aggregation.BatchID) pgx.RowToFunc[*aggregation.Job] {
	return func(row pgx.CollectableRow) (*aggregation.Job, error) {
		var id, reports []byte
		if err := row.Scan(&id, &reports); err != nil {
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
		return j, nil
	}
}

// CommitJob implements aggregation.Store.
func (s *Store) CommitJob(ctx context.Context, r *aggregation.JobResult) error {
	body, err := record.MarshalResult(r)
	if err != nil {
		return fmt.Errorf("commit job %s: %w", r.Job, err)
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO job_results
			(cohort, period, methodology, job, body)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
			batchArgs(r.Batch, r.Job[:], body)...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return aggregation.ErrJobConflict
		}
		if err := decide(ctx, tx, r); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE jobs SET committed = true
			WHERE id = $1`, r.Job[:])
		return err
	})
	if err != nil {
		return fmt.Errorf("commit job %s: %w", r.Job, err)
	}
	return nil
}

// decide marks as decided by r's job the reports its outcomes name that
// are of its batch and undecided, and checks every accepted outcome is
// among them. Row locks make concurrent commits naming one report wait
// for each other; the later one then finds it decided.
func decide(ctx context.Context, tx pgx.Tx, r *aggregation.JobResult) error {
	ids := make([][]byte, len(r.Outcomes))
	for i := range r.Outcomes {
		ids[i] = r.Outcomes[i].ID[:]
	}
	rows, _ := tx.Query(ctx, `UPDATE reports SET decided_by = $4
		WHERE `+batchKey+` AND id = ANY ($5) AND decided_by IS NULL
		RETURNING id`, batchArgs(r.Batch, r.Job[:], ids)...)
	marked, err := pgx.CollectRows(rows, scanReportID)
	if err != nil {
		return err
	}
	open := make(map[aggregation.ReportID]bool, len(marked))
	for _, id := range marked {
		open[id] = true
	}
	return checkCounted(r.Outcomes, open)
}

// checkCounted fails with ErrCounted if an accepted outcome names a
// report not in open, the reports this commit decided. The first outcome
// naming a report uses it up, so a report accepted twice in one result
// is refused too: it would be counted twice.
func checkCounted(outcomes []aggregation.Outcome,
	open map[aggregation.ReportID]bool) error {
	for _, o := range outcomes {
		ok := open[o.ID]
		delete(open, o.ID)
		if o.Accepted && !ok {
			return fmt.Errorf("report %s: %w", o.ID, aggregation.ErrCounted)
		}
	}
	return nil
}

// JobResult implements aggregation.Store.
func (s *Store) JobResult(ctx context.Context, id aggregation.JobID) (
	*aggregation.JobResult, error) {
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT body FROM job_results
		WHERE job = $1`, id[:]).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
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
	rows, _ := s.pool.Query(ctx, `SELECT body FROM job_results
		WHERE `+batchKey+` ORDER BY seq`, batchArgs(b)...)
	out, err := pgx.CollectRows(rows,
		func(row pgx.CollectableRow) (*aggregation.JobResult, error) {
			var body []byte
			if err := row.Scan(&body); err != nil {
				return nil, err
			}
			return record.UnmarshalResult(body)
		})
	if err != nil {
		return nil, fmt.Errorf("results of %s: %w", b, err)
	}
	return out, nil
}

func byteIDs(ids []aggregation.ReportID) [][]byte {
	out := make([][]byte, len(ids))
	for i := range ids {
		out[i] = ids[i][:]
	}
	return out
}
