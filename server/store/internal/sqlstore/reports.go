package sqlstore

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
	err := insertOnce(ctx, s.db, aggregation.ErrBatchExists, s.sql.OpenBatch,
		batchArgs(b, at)...)
	if err != nil {
		return fmt.Errorf("open batch %s: %w", b, err)
	}
	return nil
}

// Batch implements aggregation.Store.
func (s *Store) Batch(ctx context.Context, b aggregation.BatchID) (
	*aggregation.Batch, error) {
	return s.batch(ctx, s.db, b)
}

func (s *Store) batch(ctx context.Context, c Conn, b aggregation.BatchID) (
	*aggregation.Batch, error) {
	bt := &aggregation.Batch{ID: b}
	var closed bool
	var closedAt *time.Time
	err := c.QueryRow(ctx, s.sql.Batch, batchArgs(b)...).
		Scan(&closed, &bt.OpenedAt, &closedAt)
	if err != nil {
		err = noRows(err, aggregation.ErrUnknownBatch)
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
	n, err := s.db.Exec(ctx, s.sql.CloseBatch, batchArgs(b, at)...)
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
	err = s.db.Tx(ctx, func(tx Conn) error {
		if err := s.checkOpen(ctx, tx, r.Batch); err != nil {
			return err
		}
		n, err := tx.Exec(ctx, s.sql.InsertReportID, r.ID[:])
		if err != nil {
			return err
		}
		if n == 0 {
			return s.sameAsCurrent(ctx, tx, r.ID, body)
		}
		// Replacing in place, two uploads of one company racing each
		// other leave one winner instead of an error.
		_, err = tx.Exec(ctx, s.sql.UpsertReport,
			batchArgs(r.Batch, r.Company, r.ID[:], body, at)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("put report %s: %w", r.ID, err)
	}
	return nil
}

// checkOpen checks that batch b is open. The dialect's query holds it
// open until tx ends.
func (s *Store) checkOpen(ctx context.Context, tx Conn,
	b aggregation.BatchID) error {
	var closed bool
	err := tx.QueryRow(ctx, s.sql.BatchClosed, batchArgs(b)...).Scan(&closed)
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
func (s *Store) sameAsCurrent(ctx context.Context, tx Conn,
	id aggregation.ReportID, body []byte) error {
	cur, err := s.report(ctx, tx, id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return aggregation.ErrReplay // replaced since
	case err != nil:
		return err
	case !bytes.Equal(cur.body, body):
		return aggregation.ErrReplay
	}
	return nil
}

// reportRow is a current report as the reports table holds it.
type reportRow struct {
	body    []byte
	at      time.Time
	decided []byte // the deciding job's id, or nil
}

func (s *Store) report(ctx context.Context, c Conn, id aggregation.ReportID) (
	*reportRow, error) {
	var r reportRow
	err := c.QueryRow(ctx, s.sql.Report, id[:]).
		Scan(&r.body, &r.at, &r.decided)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Report implements aggregation.Store.
func (s *Store) Report(ctx context.Context, id aggregation.ReportID) (
	*aggregation.StoredReport, error) {
	row, err := s.report(ctx, s.db, id)
	if err != nil {
		err = noRows(err, aggregation.ErrUnknownReport)
		return nil, fmt.Errorf("report %s: %w", id, err)
	}
	sr, err := row.stored()
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", id, err)
	}
	return sr, nil
}

func (r *reportRow) stored() (*aggregation.StoredReport, error) {
	rep, err := aggregation.ParseReport(r.body)
	if err != nil {
		return nil, fmt.Errorf("stored body: %w", err)
	}
	sr := &aggregation.StoredReport{Report: rep, ReceivedAt: r.at.UTC()}
	if r.decided != nil {
		job, err := record.ID(r.decided)
		if err != nil {
			return nil, fmt.Errorf("decided by: %w", err)
		}
		sr.Job = (*aggregation.JobID)(&job)
	}
	return sr, nil
}

// Undecided implements aggregation.Store.
func (s *Store) Undecided(ctx context.Context, b aggregation.BatchID) (int,
	error) {
	var n int
	err := s.db.QueryRow(ctx, s.sql.Undecided, batchArgs(b)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count undecided of %s: %w", b, err)
	}
	return n, nil
}
