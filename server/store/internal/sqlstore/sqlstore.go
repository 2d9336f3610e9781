// Package sqlstore is the store.Store the postgres and sqlite stores
// share: each method's control flow, the arguments it passes and how it
// turns rows into values. What differs stays in each store: its SQL, in
// a Dialect, and its driver, adapted to Conn.
//
// The SQL is written out in full in each store, not generated, though
// much of it is alike: the dialects differ in placeholders ($1 against
// ?1), column types (timestamptz against microseconds in an INTEGER),
// booleans, lists of ids (arrays only in PostgreSQL) and row locks
// (FOR UPDATE SKIP LOCKED and FOR SHARE only in PostgreSQL).
//
// Methods on the company-scoped tables (enrollments, receipts, the
// private-tier access log) run in a transaction scoped to one company
// or to the operator (Scope). PostgreSQL enforces the scope with
// row-level security; SQLite, the embedded demo store, has none, and
// relies on each query naming its company. Cohort versions are
// recomputed in Go, here, in the transaction of the change that moves
// members, so both stores make the same versions.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/infermargin/infermargin/aggregation"
)

// Conn runs statements on a store's database, in a transaction or not.
// Each store adapts its driver to it and maps the values passed and
// scanned to its columns: times are time.Time here (and *time.Time for
// a nullable column), ids and bodies []byte, small enums int64.
type Conn interface {
	// Exec runs a statement and returns how many rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// QueryRow runs a query for one row. Scanning it fails with an
	// error matching sql.ErrNoRows if there is none.
	QueryRow(ctx context.Context, query string, args ...any) Row
	// Query runs a query and calls scan on each row, in order, until
	// scan fails.
	Query(ctx context.Context, scan func(Row) error, query string,
		args ...any) error
}

// Row is one row of a query's result.
type Row interface {
	// Scan copies the row's columns into dest, in order.
	Scan(dest ...any) error
}

// Rows is a driver's result set, as ScanRows reads it.
type Rows interface {
	Row
	Next() bool
	Err() error
}

// ScanRows calls scan on each of rows in turn and returns the first
// error, of scan or of rows. Closing rows is the caller's.
func ScanRows(rows Rows, scan func(Row) error) error {
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DB is a store's database.
type DB interface {
	// Conn runs statements outside a transaction.
	Conn
	// Tx runs f in a transaction, committed if f returns nil. f must
	// use tx only: the sqlite store's one connection is tx's until the
	// transaction ends.
	Tx(ctx context.Context, f func(tx Conn) error) error
}

// Store is a store.Store on a database in a dialect, but for Ping and
// Close, which are the driver's.
type Store struct {
	db  DB
	sql *Dialect
}

// New returns the store on db, whose SQL d is.
func New(db DB, d *Dialect) *Store {
	return &Store{db: db, sql: d}
}

// batchArgs are a batch's key columns as query arguments, then more:
// the order every statement on a batch takes them in.
func batchArgs(b aggregation.BatchID, more ...any) []any {
	return append([]any{b.Cohort, b.Period, b.Methodology}, more...)
}

// eachIDs calls f with what a statement on a list of ids takes for
// them: all of them in one array if the dialect has arrays, else each
// id in turn.
func (s *Store) eachIDs(ids [][]byte, f func(arg any) error) error {
	if s.sql.Arrays {
		return f(ids)
	}
	for _, id := range ids {
		if err := f(id); err != nil {
			return err
		}
	}
	return nil
}

// insertOnce runs an insert that does nothing on conflict, and fails
// with conflict if it inserted nothing.
func insertOnce(ctx context.Context, c Conn, conflict error, query string,
	args ...any) error {
	n, err := c.Exec(ctx, query, args...)
	if err == nil && n == 0 {
		err = conflict
	}
	return err
}

// queryAll runs a query and returns its rows, each made a value by scan.
func queryAll[T any](ctx context.Context, c Conn, scan func(Row) (T, error),
	query string, args ...any) ([]T, error) {
	var out []T
	err := c.Query(ctx, func(row Row) error {
		v, err := scan(row)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, query, args...)
	return out, err
}

// noRows replaces err by missing if err says there was no row.
func noRows(err, missing error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return missing
	}
	return err
}
