package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/infermargin/infermargin/server/store/internal/sqlstore"
)

// querier is what a *sql.DB and a *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result,
		error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows,
		error)
}

// conn is a database or a transaction as a sqlstore.Conn. It keeps times
// as the schema does, as microseconds since the Unix epoch in INTEGER
// columns: a time.Time argument goes in as its microseconds, and a
// *time.Time destination (**time.Time for a nullable column) is read
// from them, in UTC.
type conn struct {
	q querier
}

func (c conn) Exec(ctx context.Context, query string, args ...any) (int64,
	error) {
	res, err := c.q.ExecContext(ctx, query, storedArgs(args)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (c conn) QueryRow(ctx context.Context, query string,
	args ...any) sqlstore.Row {
	return row{c.q.QueryRowContext(ctx, query, storedArgs(args)...)}
}

func (c conn) Query(ctx context.Context, scan func(sqlstore.Row) error,
	query string, args ...any) error {
	r, err := c.q.QueryContext(ctx, query, storedArgs(args)...)
	if err != nil {
		return err
	}
	defer r.Close()
	return sqlstore.ScanRows(rows{r}, scan)
}

// sqldb is the store's database as a sqlstore.DB.
type sqldb struct {
	conn
	sql *sql.DB
}

func (d sqldb) Tx(ctx context.Context, f func(tx sqlstore.Conn) error) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(conn{tx}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// row is a *sql.Row whose Scan reads times as stored.
type row struct{ *sql.Row }

func (r row) Scan(dest ...any) error {
	return r.Row.Scan(storedDest(dest)...)
}

// rows is *sql.Rows whose Scan reads times as stored.
type rows struct{ *sql.Rows }

func (r rows) Scan(dest ...any) error {
	return r.Rows.Scan(storedDest(dest)...)
}

// storedArgs is args with times as stored.
func storedArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			a = t.UnixMicro()
		}
		out[i] = a
	}
	return out
}

// storedDest is dest with time destinations read as stored.
func storedDest(dest []any) []any {
	out := make([]any, len(dest))
	for i, d := range dest {
		switch d := d.(type) {
		case *time.Time:
			out[i] = micros{d}
		case **time.Time:
			out[i] = nullMicros{d}
		default:
			out[i] = d
		}
	}
	return out
}

// micros scans microseconds since the Unix epoch into a time.
type micros struct{ t *time.Time }

func (m micros) Scan(src any) error {
	us, ok := src.(int64)
	if !ok {
		return fmt.Errorf("time column holds %T, want microseconds", src)
	}
	*m.t = time.UnixMicro(us).UTC()
	return nil
}

// nullMicros is micros for a nullable column: NULL scans as nil.
type nullMicros struct{ t **time.Time }

func (m nullMicros) Scan(src any) error {
	if src == nil {
		*m.t = nil
		return nil
	}
	*m.t = new(time.Time)
	return micros{*m.t}.Scan(src)
}
