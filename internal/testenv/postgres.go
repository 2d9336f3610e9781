// Package testenv starts and hands out the real services tests run
// against. Every test that needs PostgreSQL or Vault (and later the
// provider simulator) gets it from here, so the rules for finding,
// skipping and cleaning up live in one place.
//
// It is for tests only: nothing outside _test.go files imports it.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresEnv names the variable holding the URL of a database whose
// role may create databases. .ci/postgres prints one.
const PostgresEnv = "INFERMARGIN_TEST_POSTGRES"

// Postgres returns the URL of a new, empty database of its own, dropped
// when the test ends. Without PostgresEnv it skips the test, or fails it
// when CI=true: in CI a missing database is a broken set-up, not a
// reason to test less.
func Postgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; .ci/run sets it with .ci/postgres",
				PostgresEnv)
		}
		t.Skipf("no PostgreSQL: set %s (see .ci/postgres)", PostgresEnv)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}

	name := "t_" + randomHex(t, 8)
	admin(t, base, "CREATE DATABASE "+name)
	t.Cleanup(func() { drop(t, base, name) })
	u.Path = "/" + name
	return u.String()
}

func admin(t testing.TB, base, sql string) {
	t.Helper()
	if err := exec(base, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// drop removes a test's database. A non-superuser may not end a
// server process of another role, such as an autovacuum worker that
// happens to be on the database, so a refusal is retried a few times
// and, if it persists, the database is left behind and logged: a
// leftover scratch database is no reason to fail a test.
func drop(t testing.TB, base, name string) {
	sql := "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"
	var err error
	for try := 0; try < 10; try++ {
		if err = exec(base, sql); err == nil {
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Logf("test database %s left behind: %v", name, err)
}

func exec(base, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", PostgresEnv, err)
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql)
	return err
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
