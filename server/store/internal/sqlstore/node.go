package sqlstore

import (
	"context"
	"fmt"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/store"
)

// Company implements store.Store.
func (s *Store) Company(ctx context.Context, id string) (*store.Company,
	error) {
	c, err := s.company(ctx, s.db, id)
	if err != nil {
		return nil, fmt.Errorf("company %q: %w", id, err)
	}
	return c, nil
}

func (s *Store) company(ctx context.Context, c Conn, id string) (
	*store.Company, error) {
	co := &store.Company{ID: id}
	err := c.QueryRow(ctx, s.sql.Company, id).Scan(&co.Key, &co.EnrolledAt)
	if err != nil {
		return nil, noRows(err, aggregation.ErrUnknownCompany)
	}
	co.EnrolledAt = co.EnrolledAt.UTC()
	return co, nil
}

// PutReceipt implements store.Store, scoped to the receipt's company.
func (s *Store) PutReceipt(ctx context.Context, r *aggregation.Receipt) error {
	err := s.scoped(ctx, Scope{Company: r.Company}, func(tx Conn) error {
		n, err := tx.Exec(ctx, s.sql.PutReceipt, batchArgs(r.Batch,
			r.Report[:], r.Company, int64(r.Role), r.Time, r.ReportHash[:],
			r.KeyID, r.Signature)...)
		if err == nil && n == 0 {
			err = errOtherCompany
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("put receipt for report %s: %w", r.Report, err)
	}
	return nil
}

// Receipt implements store.Store, scoped to company.
func (s *Store) Receipt(ctx context.Context, company string,
	id aggregation.ReportID) (*aggregation.Receipt, error) {
	var r *aggregation.Receipt
	err := s.scoped(ctx, Scope{Company: company}, func(tx Conn) error {
		var err error
		r, err = scanReceipt(tx.QueryRow(ctx, s.sql.Receipt, id[:], company))
		return err
	})
	if err != nil {
		err = noRows(err, store.ErrReceiptMissing)
		return nil, fmt.Errorf("receipt for report %s: %w", id, err)
	}
	r.Report = id
	return r, nil
}

func scanReceipt(row Row) (*aggregation.Receipt, error) {
	r := new(aggregation.Receipt)
	var role int64
	var hash []byte
	err := row.Scan(&r.Batch.Cohort, &r.Batch.Period, &r.Batch.Methodology,
		&r.Company, &role, &r.Time, &hash, &r.KeyID, &r.Signature)
	if err != nil {
		return nil, err
	}
	if len(hash) != len(r.ReportHash) {
		return nil, fmt.Errorf("stored hash of %d bytes", len(hash))
	}
	r.Role = aggregation.Role(role)
	copy(r.ReportHash[:], hash)
	return r, nil
}

// PutPublication implements store.Store.
func (s *Store) PutPublication(ctx context.Context,
	p *store.Publication) error {
	err := insertOnce(ctx, s.db, store.ErrPublished, s.sql.InsertPublication,
		batchArgs(p.Batch, p.ID, int64(p.Tier), p.PublishedAt, p.Body)...)
	if err != nil {
		return fmt.Errorf("put publication %q: %w", p.ID, err)
	}
	return nil
}

// Publication implements store.Store.
func (s *Store) Publication(ctx context.Context, id string) (
	*store.Publication, error) {
	p, err := scanPublication(s.db.QueryRow(ctx, s.sql.Publication, id))
	if err != nil {
		err = noRows(err, store.ErrUnknownReport)
		return nil, fmt.Errorf("publication %q: %w", id, err)
	}
	return p, nil
}

// Publications implements store.Store.
func (s *Store) Publications(ctx context.Context) ([]*store.Publication,
	error) {
	ps, err := queryAll(ctx, s.db, scanPublication, s.sql.Publications)
	if err != nil {
		return nil, fmt.Errorf("list publications: %w", err)
	}
	return ps, nil
}

func scanPublication(row Row) (*store.Publication, error) {
	p := new(store.Publication)
	var tier int64
	err := row.Scan(&p.ID, &p.Batch.Cohort, &p.Batch.Period,
		&p.Batch.Methodology, &tier, &p.PublishedAt, &p.Body)
	if err != nil {
		return nil, err
	}
	p.Tier = aggregation.Tier(tier)
	p.PublishedAt = p.PublishedAt.UTC()
	return p, nil
}
