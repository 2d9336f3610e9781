package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/node"
	"github.com/infermargin/infermargin/server/servertest"
)

// adminPair is a leader and a helper, each its own process with its
// own SQLite store, made by node.LocalConfigs, and the account token
// files an operator and a founder use against them.
type adminPair struct {
	procs   [2]*proc
	urls    [2]string
	opToken string // the bootstrap operator's, dir/admin.token
	founder string // token file of "ada", a founder made on the leader
}

func startAdminPair(t *testing.T) *adminPair {
	t.Helper()
	dir := t.TempDir()
	cfgs, err := node.LocalConfigs(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := &adminPair{opToken: filepath.Join(dir, "admin.token")}
	for role, c := range cfgs {
		c.Listen = freeAddr(t)
		p.urls[role] = "http://" + c.Listen
	}
	cfgs[aggregation.Leader].Peer.URL = p.urls[aggregation.Helper]
	for role, c := range cfgs {
		p.procs[role] = &proc{role: aggregation.Role(role), addr: c.Listen,
			dir: c.DataDir, config: writeTOML(t, c)}
	}

	// The first founder is made on the node itself, before it serves:
	// over the API only a founder may grant the role.
	out := run(t, "aggregator", "account", "--config",
		p.procs[aggregation.Leader].config, "--name", "ada", "--roles",
		"founder", "--reason", "first founder")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	p.founder = tokenFile(t, dir, "ada", lines[len(lines)-1])

	for _, pr := range p.procs {
		pr.start(t)
		t.Cleanup(pr.kill)
	}
	return p
}

func writeTOML(t *testing.T, c *node.Config) string {
	t.Helper()
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(c); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(c.DataDir, "config.toml")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func tokenFile(t *testing.T, dir, name, token string) string {
	t.Helper()
	path := filepath.Join(dir, name+".token")
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// admin runs `infermargin admin` against url with the token in file,
// in an environment without the INFERMARGIN_ variables, and returns
// its standard output and error.
func admin(url, file string, args ...string) (string, string, error) {
	args = append([]string{"admin", "--node", url, "--token-file", file},
		args...)
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), "INFERMARGIN_NODE=",
		"INFERMARGIN_TOKEN_FILE=")
	var out, errw bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errw
	err := cmd.Run()
	return out.String(), errw.String(), err
}

// mustAdmin is admin that fails the test if the command fails, and
// checks that its output holds each of want.
func mustAdmin(t *testing.T, url, file string, want []string,
	args ...string) string {
	t.Helper()
	out, errw, err := admin(url, file, args...)
	if err != nil {
		t.Fatalf("admin %s: %v\n%s%s", strings.Join(args, " "), err, out,
			errw)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("admin %s: output lacks %q:\n%s",
				strings.Join(args, " "), w, out)
		}
	}
	return out
}

// failAdmin runs a command that must fail, with stderr holding each of
// want.
func failAdmin(t *testing.T, url, file string, want []string,
	args ...string) {
	t.Helper()
	out, errw, err := admin(url, file, args...)
	if err == nil {
		t.Fatalf("admin %s succeeded, want failure:\n%s",
			strings.Join(args, " "), out)
	}
	for _, w := range want {
		if !strings.Contains(errw, w) {
			t.Errorf("admin %s: stderr lacks %q:\n%s",
				strings.Join(args, " "), w, errw)
		}
	}
}

// enrollAt submits enrollments of new companies with the given ids and
// answers to each node, as `infermargin org enroll` would.
func enrollAt(t *testing.T, answers methodology.Answers, urls []string,
	ids ...string) {
	t.Helper()
	for _, id := range ids {
		s, err := sign.GenerateSigner()
		if err != nil {
			t.Fatal(err)
		}
		c := &servertest.Company{ID: id, Signer: s, Answers: answers}
		if c.Key, err = s.Verifier(); err != nil {
			t.Fatal(err)
		}
		for _, u := range urls {
			err := (&servertest.Admin{URL: u}).Enroll(context.Background(), c)
			if err != nil {
				t.Fatalf("enroll %s at %s: %v", id, u, err)
			}
		}
	}
}

func TestAdminEnrollments(t *testing.T) {
	p := startAdminPair(t)
	url, op := p.urls[aggregation.Leader], p.opToken
	enrollAt(t, servertest.DefaultAnswers, p.urls[:1], "co-a", "co-b", "co-c")

	mustAdmin(t, url, op, []string{"COMPANY", "co-a", "co-b", "co-c",
		"pending", "customer_support"}, "enrollments", "list", "--state",
		"pending")
	mustAdmin(t, url, op, []string{"defined support@1 (customer_support) " +
		"with 0 members"}, "cohorts", "define", "support", "--use-case",
		"customer_support", "--reason", "launch")
	mustAdmin(t, url, op, []string{"approved 2: co-a, co-b",
		"new cohort versions", "support@2"}, "enrollments", "approve",
		"co-a", "co-b", "--reason", "checked by phone")
	failAdmin(t, url, op, []string{"--reason: required"}, "enrollments",
		"reject", "co-c")
	failAdmin(t, url, op, []string{"409", "already_decided"},
		"enrollments", "reject", "co-a", "--reason", "changed my mind")
	mustAdmin(t, url, op, []string{"rejected 1: co-c",
		"no cohort's members changed"}, "enrollments", "reject", "co-c",
		"--reason", "not a company")

	out := mustAdmin(t, url, op, nil, "--json", "enrollments", "list")
	var es []api.Enrollment
	if err := json.Unmarshal([]byte(out), &es); err != nil {
		t.Fatalf("enrollments list --json: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, e := range es {
		got[e.Company] = e.State + " by " + e.DecidedBy + ": " + e.Reason
	}
	want := map[string]string{
		"co-a": "approved by admin: checked by phone",
		"co-b": "approved by admin: checked by phone",
		"co-c": "rejected by admin: not a company",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("enrollments after the decisions (-want +got):\n%s", diff)
	}

	mustAdmin(t, url, op, []string{"support@2", "co-a", "co-b"}, "cohorts",
		"show", "support")
	mustAdmin(t, url, op, []string{"cohort.define", "enrollment.approve",
		"enrollment.reject", "not a company"}, "audit")
}

func TestAdminReassignment(t *testing.T) {
	p := startAdminPair(t)
	url, op, ada := p.urls[aggregation.Leader], p.opToken, p.founder
	enrollAt(t, servertest.DefaultAnswers, p.urls[:1], "co-a", "co-b")
	mustAdmin(t, url, op, nil, "enrollments", "approve", "co-a", "co-b")
	for id, uc := range map[string]string{"support": "customer_support",
		"coding": "coding_assistant"} {
		mustAdmin(t, url, op, nil, "cohorts", "define", id, "--use-case", uc)
	}

	failAdmin(t, url, op, []string{"--rationale: required"},
		"reassignments", "request", "co-a", "--use-case", "coding_assistant")
	mustAdmin(t, url, op, []string{"reassignment 1 of co-a to " +
		"coding_assistant", "pending a founder's approval"},
		"reassignments", "request", "co-a", "--use-case",
		"coding_assistant", "--rationale", "pivoted to code review")
	failAdmin(t, url, op, []string{"403", "forbidden", "founder"},
		"reassignments", "approve", "1")
	mustAdmin(t, url, ada, []string{"reassignment 1 approved", "coding@2",
		"support@2"}, "reassignments", "approve", "1", "--reason",
		"confirmed with co-a")

	mustAdmin(t, url, op, []string{"coding@2", "co-a"}, "cohorts", "show",
		"coding")
	out := mustAdmin(t, url, op, []string{"support@2", "co-b"}, "cohorts",
		"show", "support")
	if strings.Contains(out, "co-a") {
		t.Errorf("support@2 still holds co-a:\n%s", out)
	}
	mustAdmin(t, url, op, []string{"support@1", "co-a", "co-b"}, "cohorts",
		"show", "support", "--version", "1")
	mustAdmin(t, url, op, []string{"approved", "ada"}, "reassignments",
		"list", "--state", "approved")
}

// TestAdminAccounts checks that only a founder grants the founder role,
// that the token is printed once, alone, and that it works, and that a
// founder may not approve their own request.
func TestAdminAccounts(t *testing.T) {
	p := startAdminPair(t)
	url, op, ada := p.urls[aggregation.Leader], p.opToken, p.founder
	dir := t.TempDir()

	failAdmin(t, url, op, []string{"403", "only a founder"}, "accounts",
		"create", "eve", "--role", "founder")
	out, errw, err := admin(url, ada, "accounts", "create", "carol",
		"--role", "operator,founder", "--reason", "second founder")
	if err != nil {
		t.Fatalf("accounts create: %v\n%s", err, errw)
	}
	if !strings.Contains(errw, "shown once") {
		t.Errorf("accounts create: stderr %q does not say the token is "+
			"shown once", errw)
	}
	token := strings.TrimSpace(out)
	if strings.ContainsAny(token, " \n") || !strings.HasPrefix(token, "imop_") {
		t.Fatalf("accounts create: stdout %q, want the token alone", out)
	}
	carol := tokenFile(t, dir, "carol", token)

	mustAdmin(t, url, carol, []string{"ada", "founder", "carol",
		"operator,founder"}, "accounts", "list")
	enrollAt(t, servertest.DefaultAnswers, p.urls[:1], "co-a")
	mustAdmin(t, url, carol, nil, "enrollments", "approve", "co-a")
	mustAdmin(t, url, carol, nil, "reassignments", "request", "co-a",
		"--arr-band", "<1M", "--rationale", "ARR fell")
	failAdmin(t, url, carol, []string{"403", "may not approve it too"},
		"reassignments", "approve", "1")
	failAdmin(t, url, ada, []string{"--reason: required"}, "reassignments",
		"reject", "1")
	mustAdmin(t, url, ada, []string{"reassignment 1 rejected"},
		"reassignments", "reject", "1", "--reason", "ARR did not fall")
	mustAdmin(t, url, op, []string{"account.create", "local:",
		"carol", "second founder", "reassignment.reject"}, "audit")
}

// TestAdminDisableAccount checks that a disabled account's token is
// refused with words, that an operator cannot disable a founder, and
// that the list and the audit table show the disabling.
func TestAdminDisableAccount(t *testing.T) {
	p := startAdminPair(t)
	url, op, ada := p.urls[aggregation.Leader], p.opToken, p.founder
	out := mustAdmin(t, url, op, nil, "accounts", "create", "bob", "--role",
		"operator", "--reason", "on call")
	bob := tokenFile(t, t.TempDir(), "bob", strings.TrimSpace(out))
	enrollAt(t, servertest.DefaultAnswers, p.urls[:1], "co-a")
	mustAdmin(t, url, bob, []string{"co-a", "pending"}, "enrollments",
		"list")

	failAdmin(t, url, bob, []string{"403", "forbidden", "only a founder"},
		"accounts", "disable", "ada", "--reason", "taking over")
	failAdmin(t, url, op, []string{"409", "bootstrap_account",
		"admin_token_sha256"}, "accounts", "disable", "admin", "--reason",
		"rotate")
	mustAdmin(t, url, op, []string{"account bob disabled at",
		"refused from now on"}, "accounts", "disable", "bob", "--reason",
		"token pasted in a chat")
	failAdmin(t, url, bob, []string{"401", "unauthorized", "disabled"},
		"enrollments", "list")
	failAdmin(t, url, op, []string{"409", "account_disabled"}, "accounts",
		"disable", "bob", "--reason", "again")

	out = mustAdmin(t, url, ada, []string{"DISABLED"}, "accounts", "list")
	active := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] != "NAME" {
			active[f[0]] = f[len(f)-1] == "-"
		}
	}
	want := map[string]bool{"ada": true, "bob": false}
	if diff := cmp.Diff(want, active); diff != "" {
		t.Errorf("accounts list: active accounts (-want +got):\n%s\n%s",
			diff, out)
	}
	mustAdmin(t, url, ada, []string{"account.disable", "bob",
		"token pasted in a chat"}, "audit")
}

// TestAdminBatches runs a batch's life through the CLI: ten companies
// approved on both nodes, a narrow cohort refused, a batch opened on
// both through the leader, closed, aggregated and published suppressed.
func TestAdminBatches(t *testing.T) {
	p := startAdminPair(t)
	op := p.opToken
	var ids []string
	for i := range 10 {
		ids = append(ids, fmt.Sprintf("co-%02d", i))
	}
	enrollAt(t, servertest.DefaultAnswers, p.urls[:], ids...)
	for _, u := range p.urls {
		mustAdmin(t, u, op, nil, append([]string{"enrollments",
			"approve"}, ids...)...)
		for id, uc := range map[string]string{"support": "customer_support",
			"coding": "coding_assistant"} {
			mustAdmin(t, u, op, nil, "cohorts", "define", id, "--use-case", uc)
		}
	}
	leader, helper := p.urls[aggregation.Leader], p.urls[aggregation.Helper]

	failAdmin(t, leader, op, []string{"409", "narrow_cohort",
		"fewer than 10"}, "batches", "open", "coding@1", "--period",
		"2026-03")
	failAdmin(t, helper, op, []string{"404"}, "batches", "open",
		"support@1", "--period", "2026-03")
	mustAdmin(t, leader, op, []string{"batch support@1.2026-03.v1 open"},
		"batches", "open", "support@1", "--period", "2026-03")
	ref := "support@1.2026-03.v1"
	for _, u := range p.urls {
		mustAdmin(t, u, op, []string{"batch " + ref + " closed"}, "batches",
			"close", ref, "--reason", "month over")
	}
	mustAdmin(t, leader, op, []string{"0 jobs"}, "batches", "aggregate", ref)
	mustAdmin(t, leader, op, []string{"published " + ref + ".private",
		"suppressed", "fewer than 10 reports"}, "batches", "publish", ref,
		"--tier", "private")
	mustAdmin(t, helper, op, []string{"batch.close", ref}, "audit")
}

// TestAdminRefusesEarly checks that mistakes in the command line are
// named before any request reaches the node.
func TestAdminRefusesEarly(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		_ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	dir := t.TempDir()
	good := tokenFile(t, dir, "good", "imop_x")
	open := filepath.Join(dir, "open.token")
	if err := os.WriteFile(open, []byte("imop_x"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		node, file string
		args       []string
		want       string
	}{
		{srv.URL, good, []string{"enrollments", "reject", "co-a"},
			"--reason: required"},
		{srv.URL, good, []string{"enrollments", "reject", "co-a",
			"--reason", "  "}, "--reason: required"},
		{srv.URL, good, []string{"enrollments", "approve"},
			"requires at least 1 arg"},
		{srv.URL, good, []string{"enrollments", "list", "--state", "done"},
			`--state "done"`},
		{"", good, []string{"cohorts", "list"}, "--node: required"},
		{"ftp://x", good, []string{"cohorts", "list"}, `--node "ftp://x"`},
		{srv.URL, "", []string{"cohorts", "list"}, "--token-file: required"},
		{srv.URL, open, []string{"cohorts", "list"}, "mode 0644"},
		{srv.URL, good, []string{"cohorts", "define", "Bad", "--use-case",
			"other"}, `cohort id "Bad"`},
		{srv.URL, good, []string{"reassignments", "request", "co-a",
			"--rationale", "why"}, "--use-case or --arr-band"},
		{srv.URL, good, []string{"reassignments", "approve", "x1"},
			`reassignment id "x1"`},
		{srv.URL, good, []string{"reassignments", "reject", "2"},
			"--reason: required"},
		{srv.URL, good, []string{"accounts", "create", "bob", "--role",
			"king"}, `role "king"`},
		{srv.URL, good, []string{"accounts", "create", "admin", "--role",
			"operator"}, "reserved"},
		{srv.URL, good, []string{"accounts", "disable", "bob"},
			"--reason: required"},
		{srv.URL, good, []string{"accounts", "disable", "bob", "--reason",
			" "}, "--reason: required"},
		{srv.URL, good, []string{"accounts", "disable", "Bob", "--reason",
			"leak"}, `account name "Bob"`},
		{srv.URL, good, []string{"audit", "--limit", "5000"},
			"--limit 5000"},
		{srv.URL, good, []string{"batches", "open", "support@1", "--period",
			"2026-13"}, "2026-13"},
		{srv.URL, good, []string{"batches", "close", "support.2026-03"},
			`batch "support.2026-03"`},
		{srv.URL, good, []string{"batches", "publish", "s@1.2026-03.v1",
			"--tier", "secret"}, `tier "secret"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			failAdmin(t, tc.node, tc.file, []string{tc.want}, tc.args...)
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the node got %d requests, want 0", n)
	}
}

// TestAdminEnvironment checks that the node and the token file can come
// from the environment, and that a wrong token is refused by the node
// without being echoed.
func TestAdminEnvironment(t *testing.T) {
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"code":"unauthorized","message":`+
			`"the bearer token is not an operator account's"}}`)
	}))
	defer srv.Close()
	file := tokenFile(t, t.TempDir(), "env", "imop_from-env")

	cmd := exec.Command(binPath, "admin", "accounts", "list")
	cmd.Env = append(os.Environ(), "INFERMARGIN_NODE="+srv.URL,
		"INFERMARGIN_TOKEN_FILE="+file)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("accounts list with a wrong token succeeded:\n%s", out)
	}
	if got := auth.Load(); got != "Bearer imop_from-env" {
		t.Errorf("Authorization = %q, want the token from the file", got)
	}
	if !strings.Contains(string(out), "401 unauthorized") ||
		strings.Contains(string(out), "imop_from-env") {
		t.Errorf("output %q: want the 401 without the token", out)
	}
}

// TestAdminHelp checks that every admin command explains itself with
// examples, and that an unknown subcommand is an error, not help.
func TestAdminHelp(t *testing.T) {
	cmds := [][]string{{}, {"audit"}}
	for group, subs := range map[string][]string{
		"enrollments":   {"list", "approve", "reject"},
		"cohorts":       {"list", "show", "define"},
		"reassignments": {"request", "list", "approve", "reject"},
		"accounts":      {"create", "list", "disable"},
		"batches":       {"open", "close", "aggregate", "publish"},
	} {
		cmds = append(cmds, []string{group})
		for _, s := range subs {
			cmds = append(cmds, []string{group, s})
		}
	}
	for _, c := range cmds {
		args := append(append([]string{"admin"}, c...), "--help")
		out, err := exec.Command(binPath, args...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Examples:") {
			t.Errorf("%s: %v, want help with examples:\n%s",
				strings.Join(args, " "), err, out)
		}
	}

	out, err := exec.Command(binPath, "admin", "cohorts",
		"remove").CombinedOutput()
	if err == nil || !strings.Contains(string(out), `unknown command "remove"`) {
		t.Errorf("admin cohorts remove = %v, %q; want unknown command", err,
			out)
	}
}
