// Package postgres is the PostgreSQL store.Store, for production and for
// several replicas of one node sharing a database.
//
// Every method runs in one transaction. Replicas coordinate through row
// locks: ClaimJob and PendingJobs lock the rows they take with FOR
// UPDATE SKIP LOCKED, so two replicas never claim the same report or
// take over the same job, and neither waits for the other. Unique keys
// settle the rest: a job or a report id is recorded once, whoever
// commits first.
//
// Times are kept to the microsecond, PostgreSQL's precision; finer
// parts are dropped.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/golang-migrate/migrate/v4"
	pgxmigrate "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store in a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url, a PostgreSQL connection URL or
// key=value string, and brings its schema up to date. Replicas may open
// the same database at once: migrations take an advisory lock.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx redacts the password from its parse errors.
		return nil, fmt.Errorf("open postgres: parse url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}

	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: connect: %w", err)
	}
	if err := migrateUp(pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return &Store{pool: pool}, nil
}

// migrateUp applies the migrations the database lacks.
func migrateUp(pool *pgxpool.Pool) error {
	src, err := iofs.New(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	// Closing db leaves the pool open.
	db := stdlib.OpenDBFromPool(pool)
	drv, err := pgxmigrate.WithInstance(db, &pgxmigrate.Config{})
	if err != nil {
		db.Close()
		return fmt.Errorf("migrate: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "pgx5", drv)
	if err != nil {
		drv.Close()
		return fmt.Errorf("migrate: %w", err)
	}
	defer m.Close()

	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	return nil
}

// Close implements store.Store.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// tx runs f in a transaction, committed if f returns nil.
func (s *Store) tx(ctx context.Context, f func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, f)
}

// batchArgs are a batch's key columns as query arguments, in the order
// (cohort, period, methodology) every query uses.
func batchArgs(b aggregation.BatchID, more ...any) []any {
	return append([]any{b.Cohort, b.Period, b.Methodology}, more...)
}

// ts is a time as stored: UTC, to the microsecond.
func ts(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}
