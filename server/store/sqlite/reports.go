package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/store/internal/record"
)

// OpenBatch implements aggregation.Store.
func (s *Store) OpenBatch(ctx context.Context, b aggregation.BatchID,
	at time.Time) error {
	n, err := affected(s.db.ExecContext(ctx, `INSERT INTO batches
		(cohort, period, methodology, opened_at) VALUES (?1, ?2, ?3, ?4)
		ON CONFLICT DO NOTHING`, batchArgs(b, micros(at))...))
	if err != nil {
		return fmt.Errorf("open batch %s: %w", b, err)
	}
	if n == 0 {
		return fmt.Errorf("open batch %s: %w", b, aggregation.ErrBatchExists)
	}
	return nil
}

// Batch implements aggregation.Store.
func (s *Store) Batch(ctx context.Context, b aggregation.BatchID) (
	*aggregation.Batch, error) {
	var closed bool
	var opened int64
	var closedAt sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT closed, opened_at, closed_at
		FROM batches WHERE `+batchKey, batchArgs(b)...).
		Scan(&closed, &opened, &closedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("batch %s: %w", b, aggregation.ErrUnknownBatch)
	}
	if err != nil {
		return nil, fmt.Errorf("batch %s: %w", b, err)
	}

	bt := &aggregation.Batch{ID: b, OpenedAt: fromMicros(opened)}
	if closed {
		bt.State = aggregation.Closed
	}
	if closedAt.Valid {
		bt.ClosedAt = fromMicros(closedAt.Int64)
	}
	return bt, nil
}

// CloseBatch implements aggregation.Store.
func (s *Store) CloseBatch(ctx context.Context, b aggregation.BatchID,
	at time.Time) error {
	n, err := affected(s.db.ExecContext(ctx, `UPDATE batches
		SET closed = 1, closed_at = ?4
		WHERE `+batchKey+` AND closed = 0`, batchArgs(b, micros(at))...))
	if err != nil {
		return fmt.Errorf("close batch %s: %w", b, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := s.Batch(ctx, b); err != nil {
		return fmt.Errorf("close %w", err)
	}
	return nil
}

// PutReport implements aggregation.Store.
func (s *Store) PutReport(ctx context.Context, r *aggregation.Report,
	at time.Time) error {
	body, err := r.MarshalBinary()
	if err != nil {
		return fmt.Errorf("put report %s: %w", r.ID, err)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := checkOpen(ctx, tx, r.Batch); err != nil {
			return err
		}
		n, err := affected(tx.ExecContext(ctx, `INSERT INTO report_ids (id)
			VALUES (?1) ON CONFLICT DO NOTHING`, r.ID[:]))
		if err != nil {
			return err
		}
		if n == 0 {
			return sameAsCurrent(ctx, tx, r.ID, body)
		}
		return upsertReport(ctx, tx, r, body, at)
	})
	if err != nil {
		return fmt.Errorf("put report %s: %w", r.ID, err)
	}
	return nil
}

// checkOpen checks that batch b is open. The transaction holds the
// write lock, so it stays open until the report is in.
func checkOpen(ctx context.Context, tx *sql.Tx, b aggregation.BatchID) error {
	var closed bool
	err := tx.QueryRowContext(ctx, `SELECT closed FROM batches
		WHERE `+batchKey, batchArgs(b)...).Scan(&closed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("batch %s: %w", b, aggregation.ErrUnknownBatch)
	case err != nil:
		return err
	case closed:
		return fmt.Errorf("batch %s: %w", b, aggregation.ErrBatchClosed)
	}
	return nil
}

// sameAsCurrent answers the upload of an id already used: nil if it is
// byte for byte the current report with that id, ErrReplay otherwise.
func sameAsCurrent(ctx context.Context, tx *sql.Tx, id aggregation.ReportID,
	body []byte) error {
	var cur []byte
	err := tx.QueryRowContext(ctx, `SELECT body FROM reports WHERE id = ?1`,
		id[:]).Scan(&cur)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return aggregation.ErrReplay // replaced since
	case err != nil:
		return err
	case !bytes.Equal(cur, body):
		return aggregation.ErrReplay
	}
	return nil
}

// upsertReport stores r as its company's current report, replacing the
// earlier one in place.
func upsertReport(ctx context.Context, tx *sql.Tx, r *aggregation.Report,
	body []byte, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO reports (cohort, period,
		methodology, company, id, body, received_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
		ON CONFLICT (cohort, period, methodology, company) DO UPDATE
		SET id = excluded.id, body = excluded.body,
			received_at = excluded.received_at,
			claimed_by = NULL, decided_by = NULL`,
		batchArgs(r.Batch, r.Company, r.ID[:], body, micros(at))...)
	return err
}

// Report implements aggregation.Store.
func (s *Store) Report(ctx context.Context, id aggregation.ReportID) (
	*aggregation.StoredReport, error) {
	var body, decided []byte
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT body, received_at, decided_by
		FROM reports WHERE id = ?1`, id[:]).Scan(&body, &at, &decided)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("report %s: %w", id,
			aggregation.ErrUnknownReport)
	}
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", id, err)
	}

	r, err := aggregation.ParseReport(body)
	if err != nil {
		return nil, fmt.Errorf("report %s: stored body: %w", id, err)
	}
	sr := &aggregation.StoredReport{Report: r, ReceivedAt: fromMicros(at)}
	if decided != nil {
		job, err := record.ID(decided)
		if err != nil {
			return nil, fmt.Errorf("report %s: decided by: %w", id, err)
		}
		sr.Job = (*aggregation.JobID)(&job)
	}
	return sr, nil
}

// Undecided implements aggregation.Store.
func (s *Store) Undecided(ctx context.Context, b aggregation.BatchID) (int,
	error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM reports
		WHERE `+batchKey+` AND decided_by IS NULL`, batchArgs(b)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count undecided of %s: %w", b, err)
	}
	return n, nil
}
