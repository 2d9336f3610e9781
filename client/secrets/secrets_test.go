package secrets

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "token")
	if err := os.WriteFile(good, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(dir, "open")
	if err := os.WriteFile(open, []byte("s3cret"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("IM_TEST_SECRET", "from-env")

	tests := []struct {
		ref, want string
		fails     bool
	}{
		{"env://IM_TEST_SECRET", "from-env", false},
		{"env://IM_TEST_UNSET_SECRET", "", true},
		{"file://" + good, "s3cret", false},
		{"file://" + open, "", true},
		{"file://" + filepath.Join(dir, "missing"), "", true},
		{"s3cret-pasted-by-mistake", "", true},
		{"ftp://host/x", "", true},
	}
	for _, tc := range tests {
		got, err := Resolve(context.Background(), tc.ref)
		if got != tc.want || (err != nil) != tc.fails {
			t.Errorf("Resolve(%q) = %q, %v; want %q, fails %v", tc.ref, got,
				err, tc.want, tc.fails)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Resolve(%q) error %q shows the secret", tc.ref, err)
		}
	}
}

func TestResolveModeError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "open")
	if err := os.WriteFile(p, []byte("x"), 0o640); err != nil {
		t.Fatal(err)
	}
	_, err := Resolve(context.Background(), "file://"+p)
	if !errors.Is(err, ErrReference) || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("Resolve(group-readable file) = %v, want %v with chmod hint",
			err, ErrReference)
	}
}
