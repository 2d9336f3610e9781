// Package sqlite is the SQLite store.Store: embedded, pure Go (no cgo),
// in one file. It is the default for the demo and a small single node.
//
// SQLite has one writer, so the store keeps one connection and every
// call waits its turn for it: calls never fail with SQLITE_BUSY against
// each other, and reads are no slower than a SQLite read anyway. Against
// another process on the same file, transactions begin IMMEDIATE and
// wait up to a busy timeout. Several replicas of one node need the
// postgres store.
//
// SQLite has no row-level security. The postgres store keeps one
// company's enrollments, receipts and private-tier reads from another's
// with policies the database enforces; here only the store's own
// queries, which name the company, do. That suits the demo and a node
// whose operator is its only user; a node serving many companies
// belongs on PostgreSQL.
//
// Times are kept to the microsecond; finer parts are dropped.
//
// The methods' control flow is the postgres store's too, in
// internal/sqlstore; this package holds the SQL it runs (sql.go) and
// adapts database/sql to it (conn.go).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/golang-migrate/migrate/v4/database"
	sqlitemigrate "github.com/golang-migrate/migrate/v4/database/sqlite"

	"github.com/infermargin/infermargin/server/store"
	"github.com/infermargin/infermargin/server/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// busyTimeout is how long a transaction waits for another process's
// write lock on the file before it fails.
const busyTimeout = 10 * time.Second

// Store is a store.Store in a SQLite database file. Its methods are the
// SQL stores' shared ones, running this package's SQL.
type Store struct {
	*core
	db *sql.DB
}

// core is the shared store, embedded under a name of this package's.
type core = sqlstore.Store

var _ store.Store = (*Store)(nil)

// Open opens the database file at path, creating it if need be, and
// brings its schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.Contains(path, "?") {
		return nil, fmt.Errorf("open sqlite %q: want a file path "+
			"without '?'", path)
	}
	dsn := path + "?" + pragmas()
	if err := migrateUp(dsn); err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	return &Store{core: sqlstore.New(sqldb{conn{db}, db}, &dialect),
		db: db}, nil
}

// pragmas are the DSN parameters every connection is opened with.
func pragmas() string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)",
		busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	return q.Encode()
}

// migrateUp applies the migrations the database lacks, on a connection
// of its own that it closes.
func migrateUp(dsn string) error {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	return sqlstore.Migrate(migrations, db, "sqlite",
		func(db *sql.DB) (database.Driver, error) {
			return sqlitemigrate.WithInstance(db, &sqlitemigrate.Config{})
		})
}

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return nil
}

// Close implements store.Store.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close sqlite: %w", err)
	}
	return nil
}
