package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
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
			want: []string{"customer-support@1 (customer_support, 30 " +
				"members) 2026-11, methodology v1: public and private, " +
				"30 reports", "llm_spend_usd", "p50 [",
				"public cohorts: customer-support@1",
				"private-only cohorts: none", "/v1/reports"}},
		{args: []string{"--orgs", "29", "--cohorts", "1"},
			want: []string{"customer-support@1 (customer_support, 29 " +
				"members) 2026-11, methodology v1: private only, 29 " +
				"reports", "fewer than 30 reports",
				"public cohorts: none",
				"private-only cohorts: customer-support@1",
				"What a member of customer-support@1 sees",
				"private tier, 29 reports", "▲ you"}},
		{args: []string{"--orgs", "9", "--cohorts", "1"},
			want: []string{"not opened, too narrow",
				"9 approved members, fewer than 10"}},
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
		{"collect", "--help"}, {"simulate", "--help"},
		{"simulate", "providers", "--help"},
	} {
		out, err := exec.Command(binPath, args...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Examples:") {
			t.Errorf("%s: %v, want help with examples:\n%s",
				strings.Join(args, " "), err, out)
		}
	}
}

// TestSimulateProviders runs the simulator on a random port and checks
// that it prints where it listens and, per company, file:// references
// to 0600 key files that the simulator accepts.
func TestSimulateProviders(t *testing.T) {
	cmd := exec.Command(binPath, "simulate", "providers", "--orgs", "2",
		"--listen", "127.0.0.1:0", "--keys", t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	url, lines := readSimulator(t, stdout)
	if len(lines) != 2 {
		t.Fatalf("printed %d company lines, want 2: %q", len(lines), lines)
	}
	for _, l := range lines {
		refs := keyRefsOf(t, l)
		stripeRef, ok := refs["stripe"]
		if !ok {
			t.Fatalf("line %q has no stripe= reference", l)
		}
		if got := getProducts(t, url, readKey(t, stripeRef)); got !=
			http.StatusOK {
			t.Errorf("GET /v1/products with %s's Stripe key = %d, want 200",
				strings.Fields(l)[0], got)
		}
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("simulate after interrupt: %v, want exit 0", err)
	}
}

// readSimulator reads the simulator's output up to "serving" and
// returns its URL and its company lines.
func readSimulator(t *testing.T, r io.Reader) (string, []string) {
	t.Helper()
	var url string
	var lines []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "serving until interrupted"):
			if url == "" {
				t.Fatal("no URL printed before serving")
			}
			return url, lines
		case strings.HasPrefix(l, "simulated "):
			_, rest, _ := strings.Cut(l, " at ")
			url = strings.Fields(rest)[0]
		case strings.HasPrefix(l, "sim-"):
			lines = append(lines, l)
		}
	}
	t.Fatalf("output ended before serving: %v", sc.Err())
	return "", nil
}

// keyRefsOf returns the provider=reference fields of a company line,
// checking each is a file:// reference to a 0600 file.
func keyRefsOf(t *testing.T, line string) map[string]string {
	t.Helper()
	refs := map[string]string{}
	for _, f := range strings.Fields(line)[1:] {
		name, ref, ok := strings.Cut(f, "=")
		if !ok || strings.HasPrefix(name, "ai_products") {
			continue
		}
		path, ok := strings.CutPrefix(ref, "file://")
		if !ok {
			t.Errorf("%s reference %q, want file://", name, ref)
			continue
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", path, fi.Mode().Perm())
		}
		refs[name] = ref
	}
	return refs
}

func readKey(t *testing.T, ref string) string {
	t.Helper()
	b, err := os.ReadFile(strings.TrimPrefix(ref, "file://"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func getProducts(t *testing.T, url, key string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/v1/products", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
