package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// binary builds the real infermargin binary once per test run.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "infermargin")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestDemo(t *testing.T) {
	bin := binary(t)
	tests := []struct {
		args     []string
		want     []string
		wantFail bool
	}{
		{args: []string{"demo", "--orgs", "30", "--cohorts", "1"},
			want: []string{"public: published over 30 reports",
				"llm_spend_usd", "p50 ["}},
		{args: []string{"demo", "--orgs", "29", "--cohorts", "1"},
			want: []string{"public: suppressed", "29 reports, threshold 30",
				"private: published over 29 reports"}},
		{args: []string{"demo", "--orgs", "9", "--cohorts", "1"},
			want: []string{"public: suppressed", "private: suppressed"}},
		{args: []string{"demo", "--orgs", "2", "--cohorts", "3"},
			want: []string{"want --orgs >= --cohorts"}, wantFail: true},
		{args: []string{"demo", "--help"},
			want: []string{"Examples:", "--orgs int"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = os.Environ()
			out, err := cmd.CombinedOutput()
			if (err != nil) != tc.wantFail {
				t.Fatalf("exit error %v, want failure %v\n%s", err,
					tc.wantFail, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
