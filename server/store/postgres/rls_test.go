package postgres_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/internal/testenv"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/store"
	"github.com/infermargin/infermargin/server/store/postgres"
	"github.com/infermargin/infermargin/server/store/storetest"
)

// scopedTables are the company-scoped tables row-level security guards.
var scopedTables = []string{"enrollments", "receipts", "private_access"}

// TestRowLevelSecurity writes rows of two companies through the store,
// then queries the tables over a raw connection of the store's own
// role, with no WHERE clause: the policies alone must keep each
// company's rows from the other.
func TestRowLevelSecurity(t *testing.T) {
	url := testenv.Postgres(t)
	s := open(t, url)
	seedCompanies(t, s, "acme", "globex")
	c := connect(t, url)
	wantPlainRole(t, c)

	// A fresh session has never set the scope: the setting is NULL.
	for _, table := range scopedTables {
		wantCompanies(t, c, "", table)
	}
	for _, table := range scopedTables {
		wantCompanies(t, c, "acme", table, "acme")
		wantCompanies(t, c, "globex", table, "globex")
		wantCompanies(t, c, "initech", table)
		wantCompanies(t, c, "operator", table, "acme", "globex")
	}
	// Once a transaction set it, the session's setting reads '' after.
	for _, table := range scopedTables {
		wantCompanies(t, c, "", table)
	}
}

// TestRowLevelSecurityWrites checks that a transaction scoped to one
// company can neither write a row of another nor reach one.
func TestRowLevelSecurityWrites(t *testing.T) {
	url := testenv.Postgres(t)
	s := open(t, url)
	seedCompanies(t, s, "acme", "globex")
	c := connect(t, url)

	inserts := map[string]string{
		"enrollments": `INSERT INTO enrollments (company, public_key,
			use_case, arr_band, team_size, submitted_at)
			VALUES ('globex2', '\x01', 'other', '<1M', '1-10', now())`,
		"receipts": `INSERT INTO receipts (report, cohort, period,
			methodology, company, role, unix_time, report_hash, key_id,
			signature) VALUES ('\x99', 'c@1', '2026-11', 'v1', 'globex2',
			0, 0, '\x00', 'k', '\x00')`,
		"private_access": `INSERT INTO private_access (company,
			publication, at) VALUES ('globex2', 'pub-1', now())`,
	}
	for _, table := range scopedTables {
		err := inScope(t, c, "acme", func(tx pgx.Tx) error {
			_, err := tx.Exec(t.Context(), inserts[table])
			return err
		})
		if err == nil {
			t.Errorf("INSERT INTO %s a row of another company, scoped to "+
				"acme = nil error, want a policy violation", table)
		}
		for _, stmt := range []string{
			`UPDATE ` + table + ` SET company = 'acme'
				WHERE company = 'globex'`,
			`DELETE FROM ` + table + ` WHERE company = 'globex'`,
		} {
			if n := execScoped(t, c, "acme", stmt); n != 0 {
				t.Errorf("%s, scoped to acme, changed %d rows of globex, "+
					"want 0", stmt, n)
			}
		}
		err = inScope(t, c, "acme", func(tx pgx.Tx) error {
			_, err := tx.Exec(t.Context(), `UPDATE `+table+
				` SET company = 'globex' WHERE company = 'acme'`)
			return err
		})
		if err == nil {
			t.Errorf("UPDATE %s moving acme's rows to globex, scoped to "+
				"acme = nil error, want a policy violation", table)
		}
		wantCompanies(t, c, "operator", table, "acme", "globex")
	}
}

// TestAuditLogAppendOnly checks that the audit table refuses any change
// but an append, whoever asks.
func TestAuditLogAppendOnly(t *testing.T) {
	url := testenv.Postgres(t)
	s := open(t, url)
	storetest.Enroll(t, s, "acme", []byte{1}, methodology.Answers{
		UseCase: "other", ARRBand: "<1M", TeamSize: "1-10"})
	c := connect(t, url)

	for _, stmt := range []string{
		`UPDATE audit_log SET reason = 'rewritten'`,
		`UPDATE audit_log SET actor = 'x' WHERE seq < 0`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE seq < 0`,
		`TRUNCATE audit_log`,
	} {
		if _, err := c.Exec(t.Context(), stmt); err == nil {
			t.Errorf("%s = nil error, want a refusal", stmt)
		}
	}
	es, err := s.Audit(t.Context(), 0, 10)
	if err != nil || len(es) != 1 || es[0].Reason == "rewritten" {
		t.Errorf("Audit() = %v, %v, want the one entry, unchanged", es, err)
	}
}

// seedCompanies enrolls each company through the store, one pending
// too, and gives each a receipt and a private-tier read.
func seedCompanies(t *testing.T, s *postgres.Store, companies ...string) {
	t.Helper()
	ans := methodology.Answers{UseCase: "customer_support", ARRBand: "<1M",
		TeamSize: "1-10"}
	for i, co := range companies {
		if i == 0 {
			storetest.Enroll(t, s, co, []byte(co), ans)
		} else {
			// Pending: RLS must hide it all the same.
			err := s.SubmitEnrollment(t.Context(), &store.Enrollment{
				Company: co, Key: []byte(co), Answers: ans,
				SubmittedAt: time.Now()})
			if err != nil {
				t.Fatalf("SubmitEnrollment(%s) = %v", co, err)
			}
		}
		r := report(t, co)
		err := s.PutReceipt(t.Context(), &aggregation.Receipt{
			Report: r.ID, Batch: r.Batch, Company: co,
			ReportHash: sha256.Sum256([]byte(co)), KeyID: "k",
			Signature: []byte{1}})
		if err != nil {
			t.Fatalf("PutReceipt(%s) = %v", co, err)
		}
		err = s.LogAccess(t.Context(), &store.Access{Company: co,
			Publication: "pub-1", At: time.Now()})
		if err != nil {
			t.Fatalf("LogAccess(%s) = %v", co, err)
		}
	}
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// wantPlainRole fails t unless c's role is one row-level security
// binds: otherwise the tests here would prove nothing.
func wantPlainRole(t *testing.T, c *pgx.Conn) {
	t.Helper()
	var super, bypass bool
	err := c.QueryRow(t.Context(), `SELECT rolsuper, rolbypassrls
		FROM pg_roles WHERE rolname = current_user`).Scan(&super, &bypass)
	if err != nil || super || bypass {
		t.Fatalf("test role: superuser %t, bypassrls %t, %v; want a role "+
			"row-level security binds", super, bypass, err)
	}
}

// inScope runs f in a transaction of c scoped as the store scopes
// them: to a company, to the operator ("operator"), or, for "", not at
// all. It rolls the transaction back.
func inScope(t *testing.T, c *pgx.Conn, scope string,
	f func(tx pgx.Tx) error) error {
	t.Helper()
	tx, err := c.Begin(t.Context())
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer tx.Rollback(context.Background())
	var set string
	switch scope {
	case "":
	case "operator":
		set = `SELECT set_config('infermargin.operator', 'on', true)`
	default:
		set = fmt.Sprintf(`SELECT set_config('infermargin.company', '%s', `+
			`true)`, scope)
	}
	if set != "" {
		if _, err := tx.Exec(t.Context(), set); err != nil {
			t.Fatalf("%s: %v", set, err)
		}
	}
	return f(tx)
}

func execScoped(t *testing.T, c *pgx.Conn, scope, stmt string) int64 {
	t.Helper()
	var n int64
	err := inScope(t, c, scope, func(tx pgx.Tx) error {
		tag, err := tx.Exec(t.Context(), stmt)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		t.Fatalf("%s, scoped to %q: %v", stmt, scope, err)
	}
	return n
}

// wantCompanies checks the companies whose rows of table a transaction
// scoped to scope sees, asking for all of them.
func wantCompanies(t *testing.T, c *pgx.Conn, scope, table string,
	want ...string) {
	t.Helper()
	var got []string
	err := inScope(t, c, scope, func(tx pgx.Tx) error {
		rows, err := tx.Query(t.Context(), `SELECT company FROM `+table)
		if err != nil {
			return err
		}
		got, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatalf("SELECT company FROM %s, scoped to %q: %v", table, scope,
			err)
	}
	slices.Sort(got)
	if !cmp.Equal(got, want, cmpopts.EquateEmpty()) {
		t.Errorf("SELECT company FROM %s, scoped to %q = %q, want %q",
			table, scope, got, want)
	}
}
