package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var binPath string

// TestMain builds the real infermargin binary once for every test of
// the command.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "infermargin-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "infermargin")
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestDemoOnce(t *testing.T) {
	tests := []struct {
		args     []string
		want     []string
		wantFail bool
	}{
		{args: []string{"--orgs", "30", "--cohorts", "1"},
			want: []string{"demo-1@1 2026-11, public tier, methodology v1: " +
				"published over 30 reports", "llm_spend_usd", "p50 [",
				"/v1/reports"}},
		{args: []string{"--orgs", "29", "--cohorts", "1"},
			want: []string{"demo-1@1 2026-11, public tier, methodology v1: " +
				"suppressed", "fewer than 30 reports"}},
		{args: []string{"--orgs", "2", "--cohorts", "3"},
			want: []string{"want --orgs >= --cohorts"}, wantFail: true},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"demo", "--once", "--listen",
				"127.0.0.1:0"}, tc.args...)
			out, err := exec.Command(binPath, args...).CombinedOutput()
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

func TestHelp(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"demo", "--help"}, {"aggregator", "--help"},
		{"aggregator", "keys", "--help"}, {"aggregator", "token", "--help"},
		{"collect", "--help"},
	} {
		out, err := exec.Command(binPath, args...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Examples:") {
			t.Errorf("%s: %v, want help with examples:\n%s",
				strings.Join(args, " "), err, out)
		}
	}
}
