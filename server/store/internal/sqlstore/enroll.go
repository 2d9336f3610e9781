package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/store"
)

// SubmitEnrollment implements store.Governance, scoped to the company.
func (s *Store) SubmitEnrollment(ctx context.Context,
	e *store.Enrollment) error {
	err := s.scoped(ctx, Scope{Company: e.Company}, func(tx Conn) error {
		n, err := tx.Exec(ctx, s.sql.InsertEnrollment, e.Company, e.Key,
			e.Answers.UseCase, e.Answers.ARRBand, e.Answers.TeamSize,
			e.SubmittedAt)
		if err != nil || n > 0 {
			return err
		}
		cur, err := scanEnrollment(tx.QueryRow(ctx, s.sql.Enrollment,
			e.Company))
		if err == nil && !sameEnrollment(cur, e) {
			err = store.ErrEnrollmentExists
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("submit enrollment of %q: %w", e.Company, err)
	}
	return nil
}

// sameEnrollment reports whether e asks for what cur holds: the same
// key and answers, whenever submitted.
func sameEnrollment(cur, e *store.Enrollment) bool {
	return bytes.Equal(cur.Key, e.Key) && cur.Answers == e.Answers
}

// Enrollment implements store.Governance, scoped to the company.
func (s *Store) Enrollment(ctx context.Context, company string) (
	*store.Enrollment, error) {
	var e *store.Enrollment
	err := s.scoped(ctx, Scope{Company: company}, func(tx Conn) error {
		var err error
		e, err = scanEnrollment(tx.QueryRow(ctx, s.sql.Enrollment, company))
		return err
	})
	if err != nil {
		err = noRows(err, store.ErrUnknownEnrollment)
		return nil, fmt.Errorf("enrollment of %q: %w", company, err)
	}
	return e, nil
}

// Enrollments implements store.Governance, scoped to the operator.
func (s *Store) Enrollments(ctx context.Context, st store.State) (
	[]*store.Enrollment, error) {
	var es []*store.Enrollment
	err := s.scoped(ctx, operator, func(tx Conn) error {
		var err error
		es, err = queryAll(ctx, tx, scanEnrollment, s.sql.Enrollments,
			string(st))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list enrollments: %w", err)
	}
	return es, nil
}

// DecideEnrollments implements store.Governance, scoped to the
// operator. Each company is decided in turn, in one transaction that
// any failure rolls back whole; a company named twice is decided once.
func (s *Store) DecideEnrollments(ctx context.Context, companies []string,
	approve bool, a *store.AuditEntry) ([]*aggregation.CohortVersion,
	error) {
	if a == nil {
		return nil, fmt.Errorf("decide enrollments: %w", errNoAudit)
	}
	companies = unique(companies)
	var made []*aggregation.CohortVersion
	err := s.scoped(ctx, operator, func(tx Conn) error {
		if err := lock(ctx, tx, s.sql.LockCohorts); err != nil {
			return err
		}
		for _, c := range companies {
			if err := s.decideEnrollment(ctx, tx, c, approve, a); err != nil {
				return fmt.Errorf("company %q: %w", c, err)
			}
		}
		var err error
		if approve {
			if made, err = s.recompute(ctx, tx, a.At); err != nil {
				return err
			}
		}
		for _, c := range companies {
			if err := s.appendAudit(ctx, tx, a, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("decide enrollments: %w", err)
	}
	return made, nil
}

// decideEnrollment decides company's pending enrollment and, if it is
// approved, records the company and its first assignment.
func (s *Store) decideEnrollment(ctx context.Context, tx Conn,
	company string, approve bool, a *store.AuditEntry) error {
	st := store.Rejected
	if approve {
		st = store.Approved
	}
	var key []byte
	var ans methodology.Answers
	err := tx.QueryRow(ctx, s.sql.DecideEnrollment, company, string(st),
		a.At, a.Actor, a.Reason).Scan(&key, &ans.UseCase, &ans.ARRBand,
		&ans.TeamSize)
	if err != nil {
		return s.whyUndecided(ctx, tx, company, err)
	}
	if !approve {
		return nil
	}
	if _, err := tx.Exec(ctx, s.sql.InsertCompany, company, key,
		a.At); err != nil {
		return err
	}
	return s.insertAssignment(ctx, tx, &store.Assignment{Company: company,
		Version: 1, Answers: ans, At: a.At})
}

// whyUndecided turns the error of deciding a company's enrollment into
// the reason it was not pending: there is none, or it is decided.
func (s *Store) whyUndecided(ctx context.Context, tx Conn, company string,
	err error) error {
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = scanEnrollment(tx.QueryRow(ctx, s.sql.Enrollment, company))
	if err == nil {
		return store.ErrNotPending
	}
	return noRows(err, store.ErrUnknownEnrollment)
}

func scanEnrollment(row Row) (*store.Enrollment, error) {
	e := new(store.Enrollment)
	var st string
	var decided *time.Time
	err := row.Scan(&e.Company, &e.Key, &e.Answers.UseCase,
		&e.Answers.ARRBand, &e.Answers.TeamSize, &st, &e.SubmittedAt,
		&decided, &e.DecidedBy, &e.Reason)
	if err != nil {
		return nil, err
	}
	e.State = store.State(st)
	e.SubmittedAt = e.SubmittedAt.UTC()
	if decided != nil {
		e.DecidedAt = decided.UTC()
	}
	return e, nil
}

// unique returns xs without repeats, each where it first occurs.
func unique(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
