package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/store/internal/record"
)

// ReportCompanies implements aggregation.Store.
func (s *Store) ReportCompanies(ctx context.Context, b aggregation.BatchID) (
	map[aggregation.ReportID]string, error) {
	out := map[aggregation.ReportID]string{}
	err := s.db.Query(ctx, func(row Row) error {
		var id []byte
		var company string
		if err := row.Scan(&id, &company); err != nil {
			return err
		}
		rid, err := record.ID(id)
		out[rid] = company
		return err
	}, s.sql.ReportCompanies, batchArgs(b)...)
	if err != nil {
		return nil, fmt.Errorf("companies of %s: %w", b, err)
	}
	return out, nil
}

// Releases implements aggregation.Store.
func (s *Store) Releases(ctx context.Context, period, methodology string) (
	[]*aggregation.ReleaseRecord, error) {
	rs, err := s.releases(ctx, s.db, period, methodology)
	if err != nil {
		return nil, fmt.Errorf("releases of %s/%s: %w", period, methodology,
			err)
	}
	return rs, nil
}

func (s *Store) releases(ctx context.Context, c Conn, period,
	methodology string) ([]*aggregation.ReleaseRecord, error) {
	return queryAll(ctx, c, scanRelease, s.sql.Releases, period, methodology)
}

// RecordRelease implements aggregation.Store. The dialect's
// LockReleases keeps other releases out between check and record.
func (s *Store) RecordRelease(ctx context.Context,
	r *aggregation.ReleaseRecord,
	check func([]*aggregation.ReleaseRecord) error) error {
	var refused error
	err := s.db.Tx(ctx, func(tx Conn) error {
		if err := lock(ctx, tx, s.sql.LockReleases); err != nil {
			return err
		}
		rs, err := s.releases(ctx, tx, r.Batch.Period, r.Batch.Methodology)
		if err != nil {
			return err
		}
		if refused = check(rs); refused != nil {
			return refused
		}
		_, err = tx.Exec(ctx, s.sql.PutRelease, batchArgs(r.Batch,
			int64(r.Tier), record.JoinNames(r.Companies), r.At)...)
		return err
	})
	switch {
	case refused != nil:
		return refused
	case err != nil:
		return fmt.Errorf("record release of %s: %w", r.Batch, err)
	}
	return nil
}

func scanRelease(row Row) (*aggregation.ReleaseRecord, error) {
	r := new(aggregation.ReleaseRecord)
	var tier int64
	var companies string
	var at time.Time
	err := row.Scan(&r.Batch.Cohort, &r.Batch.Period, &r.Batch.Methodology,
		&tier, &companies, &at)
	if err != nil {
		return nil, err
	}
	r.Tier, r.At = aggregation.Tier(tier), at.UTC()
	if r.Companies, err = record.SplitNames(companies); err != nil {
		return nil, fmt.Errorf("release of %s: %w", r.Batch, err)
	}
	return r, nil
}
