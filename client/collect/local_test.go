package collect

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/infermargin/infermargin/crypto/keys"
)

func TestMetricsDir(t *testing.T) {
	tests := []struct {
		name string
		a    *Aggregators
		want string
	}{
		{"no aggregators", nil, ""},
		{"neither", &Aggregators{}, ""},
		{"beside receipts", &Aggregators{ReceiptsDir: "/co/receipts"},
			"/co/metrics"},
		{"set", &Aggregators{ReceiptsDir: "/co/receipts",
			MetricsDir: "/m"}, "/m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Config{Aggregators: tt.a}
			if got := c.MetricsDir(); got != tt.want {
				t.Errorf("MetricsDir() = %q, want %q", got, tt.want)
			}
		})
	}
	_, err := (&Config{}).MetricsPath("2026-11")
	if !errors.Is(err, ErrNoMetricsDir) {
		t.Errorf("MetricsPath() without a folder = %v, want "+
			"ErrNoMetricsDir", err)
	}
}

// TestComputeKeeps checks that a computation keeps its metrics beside
// the receipts, private to the user, and that they read back.
func TestComputeKeeps(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	w.cfg.Aggregators.ReceiptsDir = filepath.Join(dir, "receipts")
	w.cfg.Aggregators.KEK = localKEK(t, dir)
	s, _, err := Compute(context.Background(), w.cfg, "2026-11", nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "metrics", "2026-11.enc")
	for p, want := range map[string]os.FileMode{
		filepath.Dir(path): 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("Compute() kept no %s: %v", p, err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("mode of %s = %04o, want %04o", p, got, want)
		}
	}

	l, err := w.cfg.ReadLocal(context.Background(), "2026-11")
	if err != nil {
		t.Fatalf("ReadLocal() = %v", err)
	}
	want := map[string]LocalValue{}
	for name, it := range s.Metrics {
		want[name] = LocalValue{Value: it.Value, Bucket: it.Bucket.Index}
	}
	if diff := cmp.Diff(want, l.Metrics); diff != "" {
		t.Errorf("ReadLocal() metrics mismatch (-want +got):\n%s", diff)
	}
	if l.Methodology != s.Methodology || l.ComputedAt.IsZero() {
		t.Errorf("ReadLocal() = %v at %v, want %v and a time",
			l.Methodology, l.ComputedAt, s.Methodology)
	}
	b, _ := os.ReadFile(path)
	for _, word := range []string{"llm_cogs_ratio", "period", "2026",
		"value"} {
		if strings.Contains(string(b), word) {
			t.Errorf("kept file holds %q in the clear", word)
		}
	}
}

// localKEK makes a local key-encryption key in dir.
func localKEK(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "kek.json")
	if err := keys.GenerateLocalKEK(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestKeepNeedsKEK checks that without a key-encryption key nothing is
// kept, rather than kept in the clear.
func TestKeepNeedsKEK(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	w.cfg.Aggregators.MetricsDir = dir
	if _, _, err := Compute(context.Background(), w.cfg, "2026-11",
		nil); err != nil {
		t.Fatal(err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Errorf("kept %d files without a KEK, want none", len(es))
	}
}

func TestComputeKeepFails(t *testing.T) {
	w := newWorld(t)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w.cfg.Aggregators.MetricsDir = filepath.Join(blocker, "metrics")
	w.cfg.Aggregators.KEK = localKEK(t, t.TempDir())
	_, _, err := Compute(context.Background(), w.cfg, "2026-11", nil)
	if err == nil || !strings.Contains(err.Error(), "keep metrics") {
		t.Errorf("Compute() with an unwritable folder = %v, want a "+
			"keep metrics error", err)
	}
}

// TestReadLocalErrors checks that a kept file reads back only as its
// own company's and month's, under its KEK.
func TestReadLocalErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c := &Config{Aggregators: &Aggregators{MetricsDir: dir,
		Company: "acme", KEK: localKEK(t, dir)}}
	s := &Summary{Period: "2026-10", Metrics: map[string]Item{}}
	if err := c.Keep(ctx, s, time.Now()); err != nil {
		t.Fatal(err)
	}
	oct := filepath.Join(dir, "2026-10.enc")
	copyTo := func(name string) {
		t.Helper()
		b, err := os.ReadFile(oct)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name), b, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	copyTo("2026-09.enc") // October's file under September's name
	if err := os.WriteFile(filepath.Join(dir, "2026-08.enc"),
		[]byte("not a ciphertext"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := &Config{Aggregators: &Aggregators{MetricsDir: dir,
		Company: "globex", KEK: c.Aggregators.KEK}}
	otherKEK := &Config{Aggregators: &Aggregators{MetricsDir: dir,
		Company: "acme", KEK: localKEK(t, t.TempDir())}}
	tests := []struct {
		name   string
		c      *Config
		period string
		msg    string
	}{
		{"own", c, "2026-10", ""},
		{"renamed month", c, "2026-09", "does not decrypt"},
		{"damaged", c, "2026-08", "does not decrypt"},
		{"other company", other, "2026-10", "does not decrypt"},
		{"other KEK", otherKEK, "2026-10", "does not decrypt"},
		{"missing", c, "2026-07", "no such file"},
		{"bad period", c, "2026-13", "want YYYY-MM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := tt.c.ReadLocal(ctx, tt.period)
			switch {
			case tt.msg == "" && (err != nil || l.Period != tt.period):
				t.Errorf("ReadLocal(%s) = %v, %v", tt.period, l, err)
			case tt.msg != "" && (err == nil ||
				!strings.Contains(err.Error(), tt.msg)):
				t.Errorf("ReadLocal(%s) = %v, want an error with %q",
					tt.period, err, tt.msg)
			}
		})
	}
}
