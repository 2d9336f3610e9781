package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

// Migrate applies the migrations in the directory migrations of fsys
// that db lacks, through the golang-migrate driver called name that
// open makes of db, and closes db.
func Migrate(fsys fs.FS, db *sql.DB, name string,
	open func(*sql.DB) (database.Driver, error)) error {
	src, err := iofs.New(fsys, "migrations")
	if err != nil {
		db.Close()
		return fmt.Errorf("read migrations: %w", err)
	}
	drv, err := open(db)
	if err != nil {
		src.Close()
		db.Close()
		return fmt.Errorf("migrate: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, name, drv)
	if err != nil {
		src.Close()
		drv.Close()
		return fmt.Errorf("migrate: %w", err)
	}
	defer m.Close()

	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
