package sqlstore

import (
	"context"
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
	err := s.db.Tx(ctx, func(tx Conn) error {
		if _, err := s.batch(ctx, tx, b); err != nil || n <= 0 {
			return err
		}
		ids, err := queryAll(ctx, tx, scanReportID, s.sql.Unclaimed,
			batchArgs(b, n)...)
		if err != nil || len(ids) == 0 {
			return err
		}
		job.Reports = ids
		return s.insertJob(ctx, tx, job, l)
	})
	if err != nil {
		return nil, fmt.Errorf("claim job %s in %s: %w", id, b, err)
	}
	return job, nil
}

// insertJob records job, leased to l, and marks its reports claimed.
func (s *Store) insertJob(ctx context.Context, tx Conn, job *aggregation.Job,
	l aggregation.Lease) error {
	err := insertOnce(ctx, tx, aggregation.ErrJobConflict, s.sql.InsertJob,
		batchArgs(job.Batch, job.ID[:], record.JoinIDs(job.Reports),
			l.Holder, l.Until)...)
	if err != nil {
		return err
	}
	return s.eachIDs(byteIDs(job.Reports), func(ids any) error {
		_, err := tx.Exec(ctx, s.sql.ClaimReports, job.ID[:], ids)
		return err
	})
}

// PendingJobs implements aggregation.Store.
func (s *Store) PendingJobs(ctx context.Context, b aggregation.BatchID,
	l aggregation.Lease, now time.Time) ([]*aggregation.Job, error) {
	var jobs []*aggregation.Job
	err := s.db.Tx(ctx, func(tx Conn) error {
		var err error
		jobs, err = queryAll(ctx, tx, scanJob(b), s.sql.PendingJobs,
			batchArgs(b, l.Holder, now)...)
		if err != nil || len(jobs) == 0 {
			return err
		}
		ids := make([][]byte, len(jobs))
		for i, j := range jobs {
			ids[i] = j.ID[:]
		}
		return s.eachIDs(ids, func(ids any) error {
			_, err := tx.Exec(ctx, s.sql.LeaseJobs, l.Holder, l.Until, ids)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("pending jobs of %s: %w", b, err)
	}
	return jobs, nil
}

// CommitJob implements aggregation.Store.
func (s *Store) CommitJob(ctx context.Context,
	r *aggregation.JobResult) error {
	body, err := record.MarshalResult(r)
	if err != nil {
		return fmt.Errorf("commit job %s: %w", r.Job, err)
	}
	err = s.db.Tx(ctx, func(tx Conn) error {
		err := insertOnce(ctx, tx, aggregation.ErrJobConflict,
			s.sql.InsertResult, batchArgs(r.Batch, r.Job[:], body)...)
		if err != nil {
			return err
		}
		if err := s.decide(ctx, tx, r); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, s.sql.CommitJob, r.Job[:])
		return err
	})
	if err != nil {
		return fmt.Errorf("commit job %s: %w", r.Job, err)
	}
	return nil
}

// decide marks as decided by r's job the reports its outcomes name that
// are of its batch and undecided, and checks every accepted outcome is
// among them.
func (s *Store) decide(ctx context.Context, tx Conn,
	r *aggregation.JobResult) error {
	ids := make([][]byte, len(r.Outcomes))
	for i := range r.Outcomes {
		ids[i] = r.Outcomes[i].ID[:]
	}
	open := make(map[aggregation.ReportID]bool, len(ids))
	err := s.eachIDs(ids, func(ids any) error {
		marked, err := queryAll(ctx, tx, scanReportID, s.sql.Decide,
			batchArgs(r.Batch, r.Job[:], ids)...)
		for _, id := range marked {
			open[id] = true
		}
		return err
	})
	if err != nil {
		return err
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
	r, err := scanResult(s.db.QueryRow(ctx, s.sql.JobResult, id[:]))
	if err != nil {
		err = noRows(err, aggregation.ErrUnknownJob)
		return nil, fmt.Errorf("job %s: %w", id, err)
	}
	return r, nil
}

// Results implements aggregation.Store.
func (s *Store) Results(ctx context.Context, b aggregation.BatchID) (
	[]*aggregation.JobResult, error) {
	out, err := queryAll(ctx, s.db, scanResult, s.sql.Results,
		batchArgs(b)...)
	if err != nil {
		return nil, fmt.Errorf("results of %s: %w", b, err)
	}
	return out, nil
}

func scanReportID(row Row) (aggregation.ReportID, error) {
	var b []byte
	if err := row.Scan(&b); err != nil {
		return aggregation.ReportID{}, err
	}
	id, err := record.ID(b)
	return aggregation.ReportID(id), err
}

// scanJob reads a job of b from its id and report list.
func scanJob(b aggregation.BatchID) func(Row) (*aggregation.Job, error) {
	return func(row Row) (*aggregation.Job, error) {
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

func scanResult(row Row) (*aggregation.JobResult, error) {
	var body []byte
	if err := row.Scan(&body); err != nil {
		return nil, err
	}
	return record.UnmarshalResult(body)
}

func byteIDs(ids []aggregation.ReportID) [][]byte {
	out := make([][]byte, len(ids))
	for i := range ids {
		out[i] = ids[i][:]
	}
	return out
}
