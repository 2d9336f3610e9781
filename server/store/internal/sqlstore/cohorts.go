package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/store"
)

// DefineCohort implements store.Governance. The audit entry's target is
// the cohort id.
func (s *Store) DefineCohort(ctx context.Context, id string,
	c methodology.Criteria, a *store.AuditEntry) (
	*aggregation.CohortVersion, error) {
	if a == nil {
		return nil, fmt.Errorf("define cohort %q: %w", id, errNoAudit)
	}
	co := &aggregation.CohortVersion{ID: id, Version: 1, Criteria: c}
	err := s.db.Tx(ctx, func(tx Conn) error {
		if err := lock(ctx, tx, s.sql.LockCohorts); err != nil {
			return err
		}
		err := insertOnce(ctx, tx, store.ErrCohortExists, s.sql.InsertCohort,
			id, c.UseCase, c.ARRBand, a.At)
		if err != nil {
			return err
		}
		answers, err := queryAll(ctx, tx, scanAnswers, s.sql.CurrentAnswers)
		if err != nil {
			return err
		}
		co.Members = matching(c, answers)
		if err := s.insertCohortVersion(ctx, tx, co, a.At); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, a, id)
	})
	if err != nil {
		return nil, fmt.Errorf("define cohort %q: %w", id, err)
	}
	return co, nil
}

// Cohort implements store.Governance.
func (s *Store) Cohort(ctx context.Context, id string, version int) (
	*aggregation.CohortVersion, error) {
	var co *aggregation.CohortVersion
	err := s.db.Tx(ctx, func(tx Conn) error {
		co = &aggregation.CohortVersion{ID: id}
		err := tx.QueryRow(ctx, s.sql.CohortVersion, id, version).Scan(
			&co.Criteria.UseCase, &co.Criteria.ARRBand, &co.Version)
		if err != nil {
			return noRows(err, aggregation.ErrUnknownCohort)
		}
		co.Members, err = s.members(ctx, tx, co)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cohort %s: %w", cohortRef(id, version), err)
	}
	return co, nil
}

// cohortRef names version of cohort id for an error: "id@version", or
// "id@latest" for version 0.
func cohortRef(id string, version int) string {
	if version == 0 {
		return id + "@latest"
	}
	return fmt.Sprintf("%s@%d", id, version)
}

// Cohorts implements store.Governance.
func (s *Store) Cohorts(ctx context.Context) ([]*aggregation.CohortVersion,
	error) {
	var cs []*aggregation.CohortVersion
	err := s.db.Tx(ctx, func(tx Conn) error {
		var err error
		cs, err = s.latestCohorts(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list cohorts: %w", err)
	}
	return cs, nil
}

// latestCohorts returns the latest version of every cohort, by id.
func (s *Store) latestCohorts(ctx context.Context, tx Conn) (
	[]*aggregation.CohortVersion, error) {
	cs, err := queryAll(ctx, tx, scanCohort, s.sql.LatestCohorts)
	if err != nil {
		return nil, err
	}
	for _, co := range cs {
		if co.Members, err = s.members(ctx, tx, co); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

func scanCohort(row Row) (*aggregation.CohortVersion, error) {
	co := new(aggregation.CohortVersion)
	err := row.Scan(&co.ID, &co.Criteria.UseCase, &co.Criteria.ARRBand,
		&co.Version)
	return co, err
}

// members reads the members of co's version.
func (s *Store) members(ctx context.Context, tx Conn,
	co *aggregation.CohortVersion) ([]string, error) {
	return queryAll(ctx, tx, scanString, s.sql.CohortMembers, co.ID,
		co.Version)
}

// insertCohortVersion records co and its members.
func (s *Store) insertCohortVersion(ctx context.Context, tx Conn,
	co *aggregation.CohortVersion, at time.Time) error {
	_, err := tx.Exec(ctx, s.sql.InsertCohortVersion, co.ID, co.Version, at)
	if err != nil {
		return fmt.Errorf("cohort %s: %w", co.Ref(), err)
	}
	for _, m := range co.Members {
		_, err := tx.Exec(ctx, s.sql.InsertCohortMember, co.ID, co.Version, m)
		if err != nil {
			return fmt.Errorf("cohort %s: member %q: %w", co.Ref(), m, err)
		}
	}
	return nil
}

// recompute makes the next version of every cohort whose members, the
// approved companies whose current answers match its criteria, are no
// longer those of its latest version, and returns the versions made.
// Its transaction must hold LockCohorts.
func (s *Store) recompute(ctx context.Context, tx Conn, at time.Time) (
	[]*aggregation.CohortVersion, error) {
	cs, err := s.latestCohorts(ctx, tx)
	if err != nil {
		return nil, err
	}
	answers, err := queryAll(ctx, tx, scanAnswers, s.sql.CurrentAnswers)
	if err != nil {
		return nil, err
	}
	var made []*aggregation.CohortVersion
	for _, co := range cs {
		members := matching(co.Criteria, answers)
		if slices.Equal(members, co.Members) {
			continue
		}
		next := &aggregation.CohortVersion{ID: co.ID,
			Version: co.Version + 1, Criteria: co.Criteria, Members: members}
		if err := s.insertCohortVersion(ctx, tx, next, at); err != nil {
			return nil, err
		}
		made = append(made, next)
	}
	return made, nil
}

// companyAnswers is a company's current answers.
type companyAnswers struct {
	company string
	answers methodology.Answers
}

func scanAnswers(row Row) (companyAnswers, error) {
	var c companyAnswers
	err := row.Scan(&c.company, &c.answers.UseCase, &c.answers.ARRBand,
		&c.answers.TeamSize)
	return c, err
}

// matching returns the companies whose answers match c, sorted.
func matching(c methodology.Criteria, all []companyAnswers) []string {
	var out []string
	for _, ca := range all {
		if c.Matches(ca.answers) {
			out = append(out, ca.company)
		}
	}
	slices.Sort(out)
	return out
}

// Assignment implements store.Governance.
func (s *Store) Assignment(ctx context.Context, company string) (
	*store.Assignment, error) {
	a, err := s.assignment(ctx, s.db, company)
	if err != nil {
		return nil, fmt.Errorf("assignment of %q: %w", company, err)
	}
	return a, nil
}

// assignment reads company's current assignment, or ErrNotApproved.
func (s *Store) assignment(ctx context.Context, c Conn, company string) (
	*store.Assignment, error) {
	a := &store.Assignment{Company: company}
	err := c.QueryRow(ctx, s.sql.Assignment, company).Scan(&a.Version,
		&a.Answers.UseCase, &a.Answers.ARRBand, &a.Answers.TeamSize, &a.At,
		&a.Reassignment)
	if err != nil {
		return nil, noRows(err, store.ErrNotApproved)
	}
	a.At = a.At.UTC()
	return a, nil
}

func (s *Store) insertAssignment(ctx context.Context, tx Conn,
	a *store.Assignment) error {
	_, err := tx.Exec(ctx, s.sql.InsertAssignment, a.Company, a.Version,
		a.Answers.UseCase, a.Answers.ARRBand, a.Answers.TeamSize, a.At,
		a.Reassignment)
	if err != nil {
		return fmt.Errorf("assignment %d: %w", a.Version, err)
	}
	return nil
}

func scanString(row Row) (string, error) {
	var s string
	err := row.Scan(&s)
	return s, err
}
