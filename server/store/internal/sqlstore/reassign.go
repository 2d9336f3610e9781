package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/store"
)

// RequestReassignment implements store.Governance. The request is
// recorded pending whatever r.State says. The audit entry's target is
// "company#id", like "acme#7".
func (s *Store) RequestReassignment(ctx context.Context,
	r *store.Reassignment, a *store.AuditEntry) (int64, error) {
	if a == nil {
		return 0, fmt.Errorf("request reassignment of %q: %w", r.Company,
			errNoAudit)
	}
	var id int64
	err := s.db.Tx(ctx, func(tx Conn) error {
		cur, err := s.assignment(ctx, tx, r.Company)
		if err != nil {
			return err
		}
		if cur.Answers == r.To {
			return store.ErrNoChange
		}
		err = tx.QueryRow(ctx, s.sql.InsertReassignment, r.Company,
			r.To.UseCase, r.To.ARRBand, r.To.TeamSize, r.Rationale,
			r.RequestedBy, r.RequestedAt).Scan(&id)
		if err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, a, reassignTarget(r.Company, id))
	})
	if err != nil {
		return 0, fmt.Errorf("request reassignment of %q: %w", r.Company,
			err)
	}
	return id, nil
}

// reassignTarget names request id of company in the audit table.
func reassignTarget(company string, id int64) string {
	return company + "#" + strconv.FormatInt(id, 10)
}

// Reassignment implements store.Governance.
func (s *Store) Reassignment(ctx context.Context, id int64) (
	*store.Reassignment, error) {
	r, err := scanReassignment(s.db.QueryRow(ctx, s.sql.Reassignment, id))
	if err != nil {
		err = noRows(err, store.ErrUnknownReassign)
		return nil, fmt.Errorf("reassignment %d: %w", id, err)
	}
	return r, nil
}

// Reassignments implements store.Governance.
func (s *Store) Reassignments(ctx context.Context, st store.State) (
	[]*store.Reassignment, error) {
	rs, err := queryAll(ctx, s.db, scanReassignment, s.sql.Reassignments,
		string(st))
	if err != nil {
		return nil, fmt.Errorf("list reassignments: %w", err)
	}
	return rs, nil
}

// DecideReassignment implements store.Governance. The audit entry's
// target is "company#id", like "acme#7".
func (s *Store) DecideReassignment(ctx context.Context, id int64,
	approve bool, a *store.AuditEntry) ([]*aggregation.CohortVersion,
	error) {
	if a == nil {
		return nil, fmt.Errorf("decide reassignment %d: %w", id, errNoAudit)
	}
	var made []*aggregation.CohortVersion
	err := s.db.Tx(ctx, func(tx Conn) error {
		if err := lock(ctx, tx, s.sql.LockCohorts); err != nil {
			return err
		}
		company, to, err := s.decideReassignment(ctx, tx, id, approve, a)
		if err != nil {
			return err
		}
		if approve {
			made, err = s.reassign(ctx, tx, company, to, id, a.At)
			if err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, a, reassignTarget(company, id))
	})
	if err != nil {
		return nil, fmt.Errorf("decide reassignment %d: %w", id, err)
	}
	return made, nil
}

// decideReassignment decides pending request id and returns its company
// and the answers it asks for.
func (s *Store) decideReassignment(ctx context.Context, tx Conn, id int64,
	approve bool, a *store.AuditEntry) (string, methodology.Answers, error) {
	st := store.Rejected
	if approve {
		st = store.Approved
	}
	var company string
	var to methodology.Answers
	err := tx.QueryRow(ctx, s.sql.DecideReassignment, id, string(st),
		a.Actor, a.At).Scan(&company, &to.UseCase, &to.ARRBand, &to.TeamSize)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = scanReassignment(tx.QueryRow(ctx, s.sql.Reassignment, id))
		if err == nil {
			err = store.ErrNotPending
		}
		err = noRows(err, store.ErrUnknownReassign)
	}
	return company, to, err
}

// reassign records company's next assignment, made by request id, and
// the cohort versions that follow from it.
func (s *Store) reassign(ctx context.Context, tx Conn, company string,
	to methodology.Answers, id int64, at time.Time) (
	[]*aggregation.CohortVersion, error) {
	cur, err := s.assignment(ctx, tx, company)
	if err != nil {
		return nil, err
	}
	next := &store.Assignment{Company: company, Version: cur.Version + 1,
		Answers: to, At: at, Reassignment: id}
	if err := s.insertAssignment(ctx, tx, next); err != nil {
		return nil, err
	}
	return s.recompute(ctx, tx, at)
}

func scanReassignment(row Row) (*store.Reassignment, error) {
	r := new(store.Reassignment)
	var st string
	var decided *time.Time
	err := row.Scan(&r.ID, &r.Company, &r.To.UseCase, &r.To.ARRBand,
		&r.To.TeamSize, &r.Rationale, &r.RequestedBy, &r.RequestedAt, &st,
		&r.DecidedBy, &decided)
	if err != nil {
		return nil, err
	}
	r.State = store.State(st)
	r.RequestedAt = r.RequestedAt.UTC()
	if decided != nil {
		r.DecidedAt = decided.UTC()
	}
	return r, nil
}
