package sqlite_test

import (
	"path/filepath"
	"strings"
	"testing"

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
