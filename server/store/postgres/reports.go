package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/store/internal/record"
)

const batchKey = `cohort = $1 AND period = $2 AND methodology = $3`

// OpenBatch implements aggregation.Store.
func (s *Store) OpenBatch(ctx context.Context, b aggregation.BatchID,
	at time.Time) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO batches
		(cohort, period, methodology, opened_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, batchArgs(b, ts(at))...)
	if err != nil {
		return fmt.Errorf("open batch %s: %w", b, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("open batch %s: %w", b, aggregation.ErrBatchExists)
	}
	return nil
}

// Batch implements aggregation.Store.
func (s *Store) Batch(ctx context.Context, b aggregation.BatchID) (
	*aggregation.Batch, error) {
	bt := &aggregation.Batch{ID: b}
	var closed bool
	var closedAt *time.Time
	err := s.pool.QueryRow(ctx, `SELECT closed, opened_at, closed_at
		FROM batches WHERE `+batchKey, batchArgs(b)...).
		Scan(&closed, &bt.OpenedAt, &closedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("batch %s: %w", b, aggregation.ErrUnknownBatch)
	}
	if err != nil {
		return nil, fmt.Errorf("batch %s: %w", b, err)
	}

	bt.OpenedAt = bt.OpenedAt.UTC()
	if closed {
		bt.State = aggregation.Closed
	}
	if closedAt != nil {
		bt.ClosedAt = closedAt.UTC()
	}
	return bt, nil
}

// CloseBatch implements aggregation.Store.
func (s *Store) CloseBatch(ctx context.Context, b aggregation.BatchID,
	at time.Time) error {
	// Closing takes the batch row's lock, so it waits for uploads in
	// flight (they hold it shared) and no upload lands after it.
	tag, err := s.pool.Exec(ctx, `UPDATE batches
		SET closed = true, closed_at = $4
		WHERE `+batchKey+` AND NOT closed`, batchArgs(b, ts(at))...)
	if err != nil {
		return fmt.Errorf("close batch %s: %w", b, err)
	}
	if tag.RowsAffected() > 0 {
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
	err = s.tx(ctx, func(tx pgx.Tx) error {
		if err := lockOpen(ctx, tx, r.Batch); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO report_ids (id) VALUES ($1)
			ON CONFLICT DO NOTHING`, r.ID[:])
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return sameAsCurrent(ctx, tx, r.ID, body)
		}
		return upsertReport(ctx, tx, r, body, at)
	})
	if err != nil {
		return fmt.Errorf("put report %s: %w", r.ID, err)
	}
	return nil
}

// lockOpen checks that batch b is open and holds it open, by a shared
// lock on its row, until the transaction ends.
func lockOpen(ctx context.Context, tx pgx.Tx, b aggregation.BatchID) error {
	var closed bool
	err := tx.QueryRow(ctx, `SELECT closed FROM batches WHERE `+batchKey+
		` FOR SHARE`, batchArgs(b)...).Scan(&closed)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
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
func sameAsCurrent(ctx context.Context, tx pgx.Tx, id aggregation.ReportID,
	body []byte) error {
	var cur []byte
	err := tx.QueryRow(ctx, `SELECT body FROM reports WHERE id = $1`,
		id[:]).Scan(&cur)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return aggregation.ErrReplay // replaced since
	case err != nil:
		return err
	case !bytes.Equal(cur, body):
		return aggregation.ErrReplay
	}
	return nil
}

// upsertReport stores r as its company's current report. The conflict
// clause replaces the earlier report in place, so two uploads of one
// company racing each other leave one winner instead of an error.
func upsertReport(ctx context.Context, tx pgx.Tx, r *aggregation.Report,
	body []byte, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO reports (cohort, period,
		methodology, company, id, body, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (cohort, period, methodology, company) DO UPDATE
		SET id = excluded.id, body = excluded.body,
			received_at = excluded.received_at,
			claimed_by = NULL, decided_by = NULL`,
		batchArgs(r.Batch, r.Company, r.ID[:], body, ts(at))...)
	return err
}

// Report implements aggregation.Store.
func (s *Store) Report(ctx context.Context, id aggregation.ReportID) (
	*aggregation.StoredReport, error) {
	var body, decided []byte
	var at time.Time
	err := s.pool.QueryRow(ctx, `SELECT body, received_at, decided_by
		FROM reports WHERE id = $1`, id[:]).Scan(&body, &at, &decided)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("report %s: %w", id,
			aggregation.ErrUnknownReport)
	}
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", id, err)
	}
	return storedReport(id, body, at, decided)
}

func storedReport(id aggregation.ReportID, body []byte, at time.Time,
	decided []byte) (*aggregation.StoredReport, error) {
	r, err := aggregation.ParseReport(body)
	if err != nil {
		return nil, fmt.Errorf("report %s: stored body: %w", id, err)
	}
	sr := &aggregation.StoredReport{Report: r, ReceivedAt: at.UTC()}
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
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM reports
		WHERE `+batchKey+` AND decided_by IS NULL`, batchArgs(b)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count undecided of %s: %w", b, err)
	}
	return n, nil
}
