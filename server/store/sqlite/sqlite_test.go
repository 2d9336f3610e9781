package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/store"
	"github.com/infermargin/infermargin/server/store/sqlite"
	"github.com/infermargin/infermargin/server/store/storetest"
)

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "node.db"))
	})
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	storetest.RunReopen(t, func(t *testing.T) store.Store {
		return open(t, path)
	})
}

func TestOpenBadPath(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{
		"",
		filepath.Join(dir, "what?.db"),
		filepath.Join(dir, "no-such-dir", "node.db"),
	} {
		s, err := sqlite.Open(t.Context(), path)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) = nil error, want one", path)
			continue
		}
		if !strings.HasPrefix(err.Error(), "open sqlite ") {
			t.Errorf("Open(%q) = %q, want it to start with "+
				"\"open sqlite \"", path, err)
		}
	}
}

// TestAuditLogAppendOnly checks that the audit table refuses any change
// but an append, to the store and to anyone else with the file.
func TestAuditLogAppendOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	s := open(t, path)
	storetest.Enroll(t, s, "acme", []byte{1}, methodology.Answers{
		UseCase: "other", ARRBand: "<1M", TeamSize: "1-10"})
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	for _, stmt := range []string{
		`UPDATE audit_log SET reason = 'rewritten'`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE seq > 0`,
	} {
		if _, err := db.ExecContext(t.Context(), stmt); err == nil {
			t.Errorf("%s = nil error, want a refusal", stmt)
		}
	}
	es, err := s.Audit(t.Context(), 0, 10)
	if err != nil || len(es) != 1 || es[0].Reason == "rewritten" {
		t.Errorf("Audit() = %v, %v, want the one entry, unchanged", es, err)
	}
}
