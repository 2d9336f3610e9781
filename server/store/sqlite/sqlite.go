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
// Times are kept to the microsecond; finer parts are dropped.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/golang-migrate/migrate/v4"
	sqlitemigrate "github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// busyTimeout is how long a transaction waits for another process's
// write lock on the file before it fails.
const busyTimeout = 10 * time.Second

// Store is a store.Store in a SQLite database file.
type Store struct {
	db *sql.DB
}

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
	return &Store{db: db}, nil
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
	src, err := iofs.New(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	drv, err := sqlitemigrate.WithInstance(db, &sqlitemigrate.Config{})
	if err != nil {
		db.Close()
		return fmt.Errorf("migrate: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "sqlite", drv)
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

// tx runs f in a transaction, committed if f returns nil. f must use tx
// only: the store's one connection is tx's until it ends.
func (s *Store) tx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// affected is how many rows the Exec whose results it takes changed.
func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// batchArgs are a batch's key columns as query arguments ?1, ?2 and ?3,
// the order every query uses.
func batchArgs(b aggregation.BatchID, more ...any) []any {
	return append([]any{b.Cohort, b.Period, b.Methodology}, more...)
}

const batchKey = `cohort = ?1 AND period = ?2 AND methodology = ?3`

// micros is a time as stored: microseconds since the Unix epoch.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
