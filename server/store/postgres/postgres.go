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
// The company-scoped tables (enrollments, receipts, the private-tier
// access log) have row-level security: each method on them runs in a
// transaction that sets infermargin.company, or infermargin.operator
// for the operator's paths, and the policies show and accept that
// company's rows only; a transaction that sets neither sees none. So
// that the policies apply, Open refuses a role that is a superuser or
// has BYPASSRLS; deploy/postgres shows how to make the service's role.
// The role owns the tables it migrates, and FORCE ROW LEVEL SECURITY
// binds it too. Row-level security guards against a query that forgets
// its company, not against the service itself: an owner may turn it
// off.
//
// Times are kept to the microsecond, PostgreSQL's precision; finer
// parts are dropped.
//
// The methods' control flow is the sqlite store's too, in
// internal/sqlstore; this package holds the SQL it runs (sql.go) and
// adapts pgx to it (conn.go).
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"github.com/golang-migrate/migrate/v4/database"
	pgxmigrate "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/infermargin/infermargin/server/store"
	"github.com/infermargin/infermargin/server/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store in a PostgreSQL database. Its methods are the
// SQL stores' shared ones, running this package's SQL.
type Store struct {
	*core
	pool *pgxpool.Pool
}

// core is the shared store, embedded under a name of this package's.
type core = sqlstore.Store

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
	if err := checkRole(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := migrateUp(pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	s := sqlstore.New(pgdb{conn{pool}, pool}, &dialect)
	return &Store{core: s, pool: pool}, nil
}

// ErrRoleBypassesRLS refuses a role that row-level security does not
// bind.
var ErrRoleBypassesRLS = errors.New("role bypasses row-level security")

// role is what the store reads of the role it connects as.
type role struct {
	name      string
	superuser bool
	bypassRLS bool
}

// checkRole refuses to run as a role that row-level security does not
// bind.
func checkRole(ctx context.Context, pool *pgxpool.Pool) error {
	r, err := currentRole(ctx, pool)
	if err != nil {
		return err
	}
	return r.check()
}

// currentRole reads the role the pool's connections run as.
func currentRole(ctx context.Context, pool *pgxpool.Pool) (role, error) {
	var r role
	err := pool.QueryRow(ctx, `SELECT rolname, rolsuper, rolbypassrls
		FROM pg_roles WHERE rolname = current_user`).
		Scan(&r.name, &r.superuser, &r.bypassRLS)
	if err != nil {
		return r, fmt.Errorf("read role: %w", err)
	}
	return r, nil
}

// check reports whether the store may run as r: not if r is a
// superuser or has BYPASSRLS, for row-level security does not apply to
// such a role, and one company's transaction could then read another's
// enrollments, receipts and private-tier reads.
func (r role) check() error {
	var what string
	switch {
	case r.superuser:
		what = "is a superuser"
	case r.bypassRLS:
		what = "has BYPASSRLS"
	default:
		return nil
	}
	return fmt.Errorf("role %q %s, so row-level security would not "+
		"keep companies' rows apart; connect as a role with NOSUPERUSER "+
		"and NOBYPASSRLS (see deploy/postgres): %w", r.name, what,
		ErrRoleBypassesRLS)
}

// migrateUp applies the migrations the database lacks.
func migrateUp(pool *pgxpool.Pool) error {
	// Closing db leaves the pool open.
	db := stdlib.OpenDBFromPool(pool)
	return sqlstore.Migrate(migrations, db, "pgx5",
		func(db *sql.DB) (database.Driver, error) {
			return pgxmigrate.WithInstance(db, &pgxmigrate.Config{})
		})
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
