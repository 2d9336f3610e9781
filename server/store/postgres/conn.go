package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/infermargin/infermargin/server/store/internal/sqlstore"
)

// querier is what a pgxpool.Pool and a pgx.Tx have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag,
		error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// conn is a pool or a transaction as a sqlstore.Conn. pgx maps the
// values as they are: time.Time to timestamptz, dropping what is finer
// than a microsecond, []byte to bytea, [][]byte to bytea[].
type conn struct {
	q querier
}

func (c conn) Exec(ctx context.Context, query string, args ...any) (int64,
	error) {
	tag, err := c.q.Exec(ctx, query, args...)
	return tag.RowsAffected(), err
}

func (c conn) QueryRow(ctx context.Context, query string,
	args ...any) sqlstore.Row {
	return c.q.QueryRow(ctx, query, args...)
}

func (c conn) Query(ctx context.Context, scan func(sqlstore.Row) error,
	query string, args ...any) error {
	// pgx reports a failed query through rows as well.
	rows, err := c.q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return sqlstore.ScanRows(rows, scan)
}

// pgdb is the store's pool as a sqlstore.DB.
type pgdb struct {
	conn
	pool *pgxpool.Pool
}

func (d pgdb) Tx(ctx context.Context, f func(tx sqlstore.Conn) error) error {
	return pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		return f(conn{tx})
	})
}
