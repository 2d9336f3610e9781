package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/infermargin/infermargin/server/store"
)

// Errors of the shared store that no contract names.
var (
	errOtherCompany = errors.New("report's receipt held for another company")
	errNoAudit      = errors.New("change without an audit entry")
	errAuditActor   = errors.New("audit entry names no actor or no action")
)

// Scope is whose rows of the company-scoped tables (enrollments,
// receipts, the private-tier access log) a transaction may see and
// write: one company's, or every company's for the operator. The zero
// Scope sees none.
//
// In PostgreSQL the scope is set in the transaction (Governance's
// SetScope) and row-level security enforces it, whatever a query says.
// SQLite has no row-level security: there the queries' own conditions
// on the company are all there is.
type Scope struct {
	Company  string
	Operator bool
}

// operator is the scope of the operator's paths.
var operator = Scope{Operator: true}

// scoped runs f in a transaction scoped to sc.
func (s *Store) scoped(ctx context.Context, sc Scope,
	f func(tx Conn) error) error {
	return s.db.Tx(ctx, func(tx Conn) error {
		if s.sql.SetScope == "" {
			return f(tx)
		}
		on := ""
		if sc.Operator {
			on = "on"
		}
		if _, err := tx.Exec(ctx, s.sql.SetScope, sc.Company, on); err != nil {
			return fmt.Errorf("set scope: %w", err)
		}
		return f(tx)
	})
}

// lock runs a dialect's lock statement, if it has one.
func lock(ctx context.Context, tx Conn, stmt string) error {
	if stmt == "" {
		return nil
	}
	if _, err := tx.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	return nil
}

// appendAudit appends a's entry with target, in tx: the transaction of
// the change it records, so that the two commit together or not at
// all. An entry that does not say who did what is refused, and the
// change with it.
func (s *Store) appendAudit(ctx context.Context, tx Conn,
	a *store.AuditEntry, target string) error {
	if a.Actor == "" || a.Action == "" {
		return errAuditActor
	}
	if err := lock(ctx, tx, s.sql.LockAudit); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, s.sql.InsertAudit, a.At, a.Actor, a.Action,
		target, a.Reason)
	if err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	return nil
}
