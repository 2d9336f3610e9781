package collect

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
	s, _, err := Compute(context.Background(), w.cfg, "2026-11", nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "metrics", "2026-11.json")
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

	l, err := w.cfg.ReadLocal("2026-11")
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
	for _, figure := range []string{"inputs", "revenue", "mrr_usd"} {
		if strings.Contains(string(b), figure) {
			t.Errorf("kept file holds %q; only metrics belong there",
				figure)
		}
	}
}

func TestComputeKeepFails(t *testing.T) {
	w := newWorld(t)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w.cfg.Aggregators.MetricsDir = filepath.Join(blocker, "metrics")
	_, _, err := Compute(context.Background(), w.cfg, "2026-11", nil)
	if err == nil || !strings.Contains(err.Error(), "keep metrics") {
		t.Errorf("Compute() with an unwritable folder = %v, want a "+
			"keep metrics error", err)
	}
}

func TestReadLocalErrors(t *testing.T) {
	dir := t.TempDir()
	c := &Config{Aggregators: &Aggregators{MetricsDir: dir}}
	write := func(name, s string) {
		t.Helper()
		err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600)
		if err != nil {
			t.Fatal(err)
		}
	}
	write("2026-10.json", `{"period": "2026-09", "metrics": {}}`)
	write("2026-09.json", `{"period": `)
	tests := []struct {
		period, msg string
	}{
		{"2026-10", `holds period "2026-09"`},
		{"2026-09", "unexpected end"},
		{"2026-08", "no such file"},
		{"2026-13", "want YYYY-MM"},
	}
	for _, tt := range tests {
		t.Run(tt.period, func(t *testing.T) {
			_, err := c.ReadLocal(tt.period)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("ReadLocal(%s) = %v, want an error with %q",
					tt.period, err, tt.msg)
			}
		})
	}
}
