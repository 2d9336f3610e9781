package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/store"
)

// PutCompany implements store.Store.
func (s *Store) PutCompany(ctx context.Context, c *store.Company) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO companies
			(id, public_key, enrolled_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, c.ID, c.Key, ts(c.EnrolledAt))
		if err != nil || tag.RowsAffected() > 0 {
			return err
		}
		var key []byte
		err = tx.QueryRow(ctx, `SELECT public_key FROM companies
			WHERE id = $1`, c.ID).Scan(&key)
		if err == nil && !bytes.Equal(key, c.Key) {
			err = store.ErrCompanyExists
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("enroll company %q: %w", c.ID, err)
	}
	return nil
}

// Company implements store.Store.
func (s *Store) Company(ctx context.Context, id string) (*store.Company,
	error) {
	c := &store.Company{ID: id}
	err := s.pool.QueryRow(ctx, `SELECT public_key, enrolled_at
		FROM companies WHERE id = $1`, id).Scan(&c.Key, &c.EnrolledAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("company %q: %w", id,
			aggregation.ErrUnknownCompany)
	}
	if err != nil {
		return nil, fmt.Errorf("company %q: %w", id, err)
	}
	c.EnrolledAt = c.EnrolledAt.UTC()
	return c, nil
}

// PutReceipt implements store.Store.
func (s *Store) PutReceipt(ctx context.Context, r *aggregation.Receipt) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO receipts (cohort, period,
		methodology, report, company, role, unix_time, report_hash, key_id,
		signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (report) DO UPDATE SET cohort = excluded.cohort,
			period = excluded.period, methodology = excluded.methodology,
			company = excluded.company, role = excluded.role,
			unix_time = excluded.unix_time,
			report_hash = excluded.report_hash, key_id = excluded.key_id,
			signature = excluded.signature`,
		batchArgs(r.Batch, r.Report[:], r.Company, int16(r.Role), r.Time,
			r.ReportHash[:], r.KeyID, r.Signature)...)
	if err != nil {
		return fmt.Errorf("put receipt for report %s: %w", r.Report, err)
	}
	return nil
}

// Receipt implements store.Store.
func (s *Store) Receipt(ctx context.Context, id aggregation.ReportID) (
	*aggregation.Receipt, error) {
	r := &aggregation.Receipt{Report: id}
	var role int16
	var hash []byte
	err := s.pool.QueryRow(ctx, `SELECT cohort, period, methodology,
		company, role, unix_time, report_hash, key_id, signature
		FROM receipts WHERE report = $1`, id[:]).Scan(&r.Batch.Cohort,
		&r.Batch.Period, &r.Batch.Methodology, &r.Company, &role, &r.Time,
		&hash, &r.KeyID, &r.Signature)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("receipt for report %s: %w", id,
			store.ErrReceiptMissing)
	}
	if err != nil {
		return nil, fmt.Errorf("receipt for report %s: %w", id, err)
	}
	if len(hash) != len(r.ReportHash) {
		return nil, fmt.Errorf("receipt for report %s: hash of %d bytes",
			id, len(hash))
	}
	r.Role = aggregation.Role(role)
	copy(r.ReportHash[:], hash)
	return r, nil
}

// PutPublication implements store.Store.
func (s *Store) PutPublication(ctx context.Context,
	p *store.Publication) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO publications (cohort, period,
		methodology, id, tier, published_at, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		batchArgs(p.Batch, p.ID, int16(p.Tier), ts(p.PublishedAt),
			p.Body)...)
	if err != nil {
		return fmt.Errorf("put publication %q: %w", p.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("put publication %q: %w", p.ID, store.ErrPublished)
	}
	return nil
}

const publicationCols = `id, cohort, period, methodology, tier,
	published_at, body`

// Publication implements store.Store.
func (s *Store) Publication(ctx context.Context, id string) (
	*store.Publication, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+publicationCols+`
		FROM publications WHERE id = $1`, id)
	p, err := pgx.CollectExactlyOneRow(rows, scanPublication)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("publication %q: %w", id,
			store.ErrUnknownReport)
	}
	if err != nil {
		return nil, fmt.Errorf("publication %q: %w", id, err)
	}
	return p, nil
}

// Publications implements store.Store.
func (s *Store) Publications(ctx context.Context) ([]*store.Publication,
	error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+publicationCols+`
		FROM publications ORDER BY published_at, seq`)
	ps, err := pgx.CollectRows(rows, scanPublication)
	if err != nil {
		return nil, fmt.Errorf("list publications: %w", err)
	}
	return ps, nil
}

func scanPublication(row pgx.CollectableRow) (*store.Publication, error) {
	p := new(store.Publication)
	var tier int16
	err := row.Scan(&p.ID, &p.Batch.Cohort, &p.Batch.Period,
		&p.Batch.Methodology, &tier, &p.PublishedAt, &p.Body)
	if err != nil {
		return nil, err
	}
	p.Tier = aggregation.Tier(tier)
	p.PublishedAt = p.PublishedAt.UTC()
	return p, nil
}
