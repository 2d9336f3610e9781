package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/infermargin/infermargin/server/store"
	"github.com/infermargin/infermargin/server/store/internal/record"
)

// PutAccount implements store.Governance. The audit entry's target is
// the account's name: its token hash goes nowhere but its own row.
func (s *Store) PutAccount(ctx context.Context, acct *store.Account,
	a *store.AuditEntry) error {
	if a == nil {
		return fmt.Errorf("put account %q: %w", acct.Name, errNoAudit)
	}
	err := s.db.Tx(ctx, func(tx Conn) error {
		err := insertOnce(ctx, tx, store.ErrAccountExists,
			s.sql.InsertAccount, acct.Name, acct.TokenHash[:],
			record.JoinNames(acct.Roles), acct.CreatedAt)
		if err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, a, acct.Name)
	})
	if err != nil {
		return fmt.Errorf("put account %q: %w", acct.Name, err)
	}
	return nil
}

// AccountByToken implements store.Governance.
func (s *Store) AccountByToken(ctx context.Context, h [32]byte) (
	*store.Account, error) {
	a, err := scanAccount(s.db.QueryRow(ctx, s.sql.AccountByToken, h[:]))
	if err == nil && !a.DisabledAt.IsZero() {
		err = store.ErrAccountDisabled
	}
	if err != nil {
		// The hash stays out of the error: it stands for a token.
		return nil, fmt.Errorf("account by token: %w",
			noRows(err, store.ErrUnknownAccount))
	}
	return a, nil
}

// Accounts implements store.Governance.
func (s *Store) Accounts(ctx context.Context) ([]*store.Account, error) {
	as, err := queryAll(ctx, s.db, scanAccount, s.sql.Accounts)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return as, nil
}

// DisableAccount implements store.Governance. The update changes no
// row for an unknown or a disabled account; reading the account then
// tells which.
func (s *Store) DisableAccount(ctx context.Context, name string,
	a *store.AuditEntry) error {
	if a == nil {
		return fmt.Errorf("disable account %q: %w", name, errNoAudit)
	}
	err := s.db.Tx(ctx, func(tx Conn) error {
		n, err := tx.Exec(ctx, s.sql.DisableAccount, name, a.At)
		if err != nil {
			return err
		}
		if n == 0 {
			return s.whyNotDisabled(ctx, tx, name)
		}
		return s.appendAudit(ctx, tx, a, name)
	})
	if err != nil {
		return fmt.Errorf("disable account %q: %w", name, err)
	}
	return nil
}

// whyNotDisabled returns the reason an account could not be disabled:
// there is none of that name, or it is disabled already.
func (s *Store) whyNotDisabled(ctx context.Context, tx Conn,
	name string) error {
	_, err := scanAccount(tx.QueryRow(ctx, s.sql.Account, name))
	if err == nil {
		return store.ErrAccountDisabled
	}
	return noRows(err, store.ErrUnknownAccount)
}

func scanAccount(row Row) (*store.Account, error) {
	a := new(store.Account)
	var hash []byte
	var roles string
	var disabled *time.Time
	err := row.Scan(&a.Name, &hash, &roles, &a.CreatedAt, &disabled)
	if err != nil {
		return nil, err
	}
	if disabled != nil {
		a.DisabledAt = disabled.UTC()
	}
	if len(hash) != len(a.TokenHash) {
		return nil, fmt.Errorf("account %q: stored hash of %d bytes",
			a.Name, len(hash))
	}
	copy(a.TokenHash[:], hash)
	if a.Roles, err = record.SplitNames(roles); err != nil {
		return nil, fmt.Errorf("account %q: roles: %w", a.Name, err)
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return a, nil
}

// AppendAudit implements store.Governance.
func (s *Store) AppendAudit(ctx context.Context, a *store.AuditEntry) error {
	if a == nil {
		return fmt.Errorf("audit: %w", errNoAudit)
	}
	err := s.db.Tx(ctx, func(tx Conn) error {
		return s.appendAudit(ctx, tx, a, a.Target)
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", a.Action, err)
	}
	return nil
}

// Audit implements store.Governance. A limit below 1 returns none.
func (s *Store) Audit(ctx context.Context, after int64, limit int) (
	[]*store.AuditEntry, error) {
	if limit < 1 {
		return nil, nil
	}
	es, err := queryAll(ctx, s.db, scanAudit, s.sql.Audit, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return es, nil
}

func scanAudit(row Row) (*store.AuditEntry, error) {
	a := new(store.AuditEntry)
	err := row.Scan(&a.Seq, &a.At, &a.Actor, &a.Action, &a.Target,
		&a.Reason)
	a.At = a.At.UTC()
	return a, err
}

// LogAccess implements store.Governance, scoped to the company.
func (s *Store) LogAccess(ctx context.Context, a *store.Access) error {
	err := s.scoped(ctx, Scope{Company: a.Company}, func(tx Conn) error {
		_, err := tx.Exec(ctx, s.sql.InsertAccess, a.Company, a.Publication,
			a.At)
		return err
	})
	if err != nil {
		return fmt.Errorf("log access of %q: %w", a.Company, err)
	}
	return nil
}

// Accesses implements store.Governance, scoped to the company.
func (s *Store) Accesses(ctx context.Context, company string) (
	[]*store.Access, error) {
	var as []*store.Access
	err := s.scoped(ctx, Scope{Company: company}, func(tx Conn) error {
		var err error
		as, err = queryAll(ctx, tx, scanAccess, s.sql.Accesses, company)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("accesses of %q: %w", company, err)
	}
	return as, nil
}

func scanAccess(row Row) (*store.Access, error) {
	a := new(store.Access)
	err := row.Scan(&a.Company, &a.Publication, &a.At)
	a.At = a.At.UTC()
	return a, err
}
