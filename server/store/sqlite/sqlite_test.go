package sqlite_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infermargin/infermargin/aggregation"
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
	b := aggregation.BatchID{Cohort: "c@1", Period: "2026-11",
		Methodology: "v1"}
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	s := open(t, path)
	if err := s.OpenBatch(t.Context(), b, at); err != nil {
		t.Fatalf("OpenBatch() = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}

	s = open(t, path)
	got, err := s.Batch(t.Context(), b)
	if err != nil {
		t.Fatalf("Batch() after reopen = %v, want the batch", err)
	}
	if !got.OpenedAt.Equal(at) || got.State != aggregation.Open {
		t.Errorf("Batch() after reopen = %+v, want open at %v", got, at)
	}
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
