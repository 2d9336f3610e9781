package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/client/collect"
	"github.com/infermargin/infermargin/client/enroll"
	"github.com/infermargin/infermargin/client/submit"
	"github.com/infermargin/infermargin/crypto/hpke"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/node"
	"github.com/infermargin/infermargin/server/servertest"
)

// runOrg runs the binary with args and returns its combined output and
// exit code.
func runOrg(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command(binPath, args...).CombinedOutput()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	case err != nil:
		t.Fatalf("infermargin %s: %v", strings.Join(args, " "), err)
	}
	return string(out), 0
}

// memberConfig writes a collector configuration for company acme whose
// keys are those `org init` made in dir, and whose aggregators are
// addresses nothing listens on.
func memberConfig(t *testing.T, dir string) string {
	t.Helper()
	return writeConfig(t, dir, fmt.Sprintf(`
providers:
  stripe:
    restricted_key: "env://IM_TEST_UNUSED"
    ai_products: {ids: [prod_1]}
aggregators:
  leader: http://127.0.0.1:1
  helper: http://127.0.0.1:1
  company: acme
  signing_key: %s
  kek: %s
  metrics_dir: metrics
`, enroll.SigningKeyFile, enroll.KEKFile))
}

// TestOrgInit runs `org init`, checks that the collector reads the key
// it made, and that a second run overwrites nothing.
func TestOrgInit(t *testing.T) {
	dir := t.TempDir()
	out, code := runOrg(t, "org", "init", "--company", "acme",
		"--dir", dir)
	if code != 0 {
		t.Fatalf("org init: exit %d\n%s", code, out)
	}
	for _, want := range []string{"Made:", filepath.Join(dir, "kek.json"),
		"signing.key", "signing.pub", "questionnaire.yaml",
		"company: acme", "infermargin org enroll --questionnaire"} {
		if !strings.Contains(out, want) {
			t.Errorf("org init output lacks %q:\n%s", want, out)
		}
	}

	c, err := collect.Load(memberConfig(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Signer(context.Background()); err != nil {
		t.Errorf("collector reading the key of org init: %v", err)
	}

	before, _ := os.ReadFile(filepath.Join(dir, "signing.key"))
	out, code = runOrg(t, "org", "init", "--company", "acme",
		"--dir", dir)
	after, _ := os.ReadFile(filepath.Join(dir, "signing.key"))
	if code == 0 || !strings.Contains(out, "not overwritten") ||
		string(before) != string(after) {
		t.Errorf("second org init: exit %d, key changed %v, want a "+
			"refusal:\n%s", code, string(before) != string(after), out)
	}
}

// TestOrgEnrollChecksFirst checks that a bad questionnaire is refused
// with its reason before any node is reached.
func TestOrgEnrollChecksFirst(t *testing.T) {
	dir := t.TempDir()
	if out, code := runOrg(t, "org", "init", "--company", "acme",
		"--dir", dir); code != 0 {
		t.Fatalf("org init: exit %d\n%s", code, out)
	}
	cfg := memberConfig(t, dir)
	tests := []struct {
		name, answers, want string
	}{
		{"two use cases", "use_case: [customer_support, other]\n",
			"give exactly one primary use case"},
		{"unknown key", "use_case: other\nrevenue: 5\n",
			`unknown key "revenue"`},
		{"unknown choice", "use_case: chat\narr_band: \"<1M\"\n" +
			"team_size: 1-10\n", `use_case "chat": want one of`},
		{"another company", "use_case: other\narr_band: \"<1M\"\n" +
			"team_size: 1-10\n", "company differs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			company := "acme"
			if tt.name == "another company" {
				company = "globex"
			}
			q := filepath.Join(t.TempDir(), "q.yaml")
			err := os.WriteFile(q, []byte("company: "+company+"\n"+
				tt.answers), 0o600)
			if err != nil {
				t.Fatal(err)
			}
			out, code := runOrg(t, "org", "enroll", "--questionnaire", q,
				"--config", cfg)
			if code == 0 || !strings.Contains(out, tt.want) ||
				strings.Contains(out, "127.0.0.1:1") {
				t.Errorf("org enroll: exit %d, want a failure with %q "+
					"and no node reached:\n%s", code, tt.want, out)
			}
		})
	}
}

func TestDashboardNeedsKeptMetrics(t *testing.T) {
	dir := t.TempDir()
	if out, code := runOrg(t, "org", "init", "--company", "acme",
		"--dir", dir); code != 0 {
		t.Fatalf("org init: exit %d\n%s", code, out)
	}
	out, code := runOrg(t, "dashboard", "--period", "2026-11",
		"--config", memberConfig(t, dir))
	if code == 0 || !strings.Contains(out, "no metrics kept for "+
		"2026-11") || !strings.Contains(out, "infermargin collect") {
		t.Errorf("dashboard without kept metrics: exit %d, want a "+
			"failure naming collect:\n%s", code, out)
	}
}

func TestOrgHelp(t *testing.T) {
	for _, args := range [][]string{
		{"org", "--help"}, {"org", "init", "--help"},
		{"org", "enroll", "--help"}, {"org", "status", "--help"},
		{"dashboard", "--help"},
	} {
		out, code := runOrg(t, args...)
		if code != 0 || !strings.Contains(out, "Examples:") {
			t.Errorf("%s: exit %d, want help with examples:\n%s",
				strings.Join(args, " "), code, out)
		}
	}
}

// orgPeriod is the month of the end-to-end test's batch.
const orgPeriod = "2026-03"

// TestOrgDashboardEndToEnd runs a company through the binary against
// two real nodes: org init, enroll (pending), approval by both
// operators, status (approved), a private-tier batch of ten companies
// and the dashboard. The company's report is made from its own key and
// its kept metrics lie in bucket 3 of every metric, where nine other
// companies take buckets 0 to 8 once each, so each metric's p50 is
// bucket 3: the band must be "at p50".
func TestOrgDashboardEndToEnd(t *testing.T) {
	p := startAdminPair(t)
	dir := t.TempDir()
	if out, code := runOrg(t, "org", "init", "--company", "acme",
		"--dir", dir); code != 0 {
		t.Fatalf("org init: exit %d\n%s", code, out)
	}
	q := filepath.Join(dir, enroll.QuestionnaireFile)
	fillQuestionnaire(t, q, servertest.DefaultAnswers)
	cfg := e2eConfig(t, p, dir)

	out := runOK(t, "org", "enroll", "--questionnaire", q, "--config", cfg)
	wantLines(t, out, "leader "+p.urls[0]+": pending",
		"helper "+p.urls[1]+": pending")
	if out, code := runOrg(t, "dashboard", "--period", orgPeriod,
		"--config", cfg); code == 0 {
		t.Errorf("dashboard before approval succeeded:\n%s", out)
	}

	m, shares, keys := e2eKeys(t, p)
	others, err := servertest.Companies(m, 9, rand.New(rand.NewPCG(1, 2)),
		true, shares)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"acme"}
	for _, co := range others {
		ids = append(ids, co.ID)
		for _, u := range p.urls {
			err := (&servertest.Admin{URL: u}).Enroll(context.Background(), co)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, u := range p.urls {
		mustAdmin(t, u, p.opToken, nil, append([]string{"enrollments",
			"approve", "--reason", "checked"}, ids...)...)
	}
	out = runOK(t, "org", "status", "--config", cfg)
	wantLines(t, out, "leader "+p.urls[0]+": approved",
		"helper "+p.urls[1]+": approved")

	b := aggregation.BatchID{Cohort: "support@1", Period: orgPeriod,
		Methodology: "v1"}
	for _, u := range p.urls {
		mustAdmin(t, u, p.opToken, nil, "cohorts", "define", "support",
			"--use-case", servertest.DefaultAnswers.UseCase)
	}
	mustAdmin(t, p.urls[0], p.opToken, nil, "batches", "open",
		b.Cohort, "--period", orgPeriod)
	acme := e2eAcme(t, m, cfg, shares)
	sub := submit.New(submit.Aggregator{URL: p.urls[0], Key: keys[0]},
		submit.Aggregator{URL: p.urls[1], Key: keys[1]}, nil)
	for _, co := range append(others, acme) {
		r, err := co.Client.NewReport(b, co.Buckets)
		if err == nil {
			_, err = sub.Submit(context.Background(), r)
		}
		if err != nil {
			t.Fatalf("submit %s: %v", co.ID, err)
		}
	}
	ref := api.Ref(b)
	for _, u := range p.urls {
		mustAdmin(t, u, p.opToken, nil, "batches", "close", ref)
	}
	mustAdmin(t, p.urls[0], p.opToken, nil, "batches", "aggregate", ref)
	mustAdmin(t, p.urls[0], p.opToken, nil, "batches", "publish", ref,
		"--tier", "private")

	keepAcme(t, m, cfg)
	out = runOK(t, "dashboard", "--period", orgPeriod, "--config", cfg)
	wantLines(t, out, "Cohort support@1, private tier, 10 reports")
	for _, mt := range m.Metrics {
		wantLines(t, out, "  "+mt.Name+" ("+mt.Unit+"), n = 10\n")
	}
	if n := strings.Count(out, ", at p50\n"); n != len(m.Metrics) {
		t.Errorf("dashboard shows %d metrics at p50, want %d:\n%s", n,
			len(m.Metrics), out)
	}
}

// runOK runs the binary and fails the test unless it succeeds.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	out, code := runOrg(t, args...)
	if code != 0 {
		t.Fatalf("infermargin %s: exit %d\n%s", strings.Join(args, " "),
			code, out)
	}
	return out
}

func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// fillQuestionnaire answers the questionnaire org init wrote.
func fillQuestionnaire(t *testing.T, path string, a methodology.Answers) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer(
		`use_case: ""`, "use_case: "+strconv.Quote(a.UseCase),
		`arr_band: ""`, "arr_band: "+strconv.Quote(a.ARRBand),
		`team_size: ""`, "team_size: "+strconv.Quote(a.TeamSize),
	).Replace(string(b))
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// e2eConfig writes acme's collector configuration for the pair.
func e2eConfig(t *testing.T, p *adminPair, dir string) string {
	t.Helper()
	return writeConfig(t, dir, fmt.Sprintf(`
providers:
  stripe:
    restricted_key: "env://IM_TEST_UNUSED"
    ai_products: {ids: [prod_1]}
aggregators:
  leader: %s
  helper: %s
  company: acme
  signing_key: %s
  kek: %s
  metrics_dir: metrics
`, p.urls[0], p.urls[1], enroll.SigningKeyFile, enroll.KEKFile))
}

// e2eKeys reads the methodology and the nodes' public keys.
func e2eKeys(t *testing.T, p *adminPair) (*methodology.Methodology,
	[2]*hpke.PublicKey, [2]*sign.Verifier) {
	t.Helper()
	m, err := methodology.Load("v1")
	if err != nil {
		t.Fatal(err)
	}
	var shares [2]*hpke.PublicKey
	var keys [2]*sign.Verifier
	for i, pr := range p.procs {
		shares[i], err = node.ReadShareKey(filepath.Join(pr.dir,
			node.SharePubFile))
		if err == nil {
			keys[i], err = node.ReadStatementKey(filepath.Join(pr.dir,
				node.StatementPubFile))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return m, shares, keys
}

// e2eAcme is acme reporting bucket 3 of every metric, signing with the
// key org init made, read through its collector configuration.
func e2eAcme(t *testing.T, m *methodology.Methodology, cfg string,
	shares [2]*hpke.PublicKey) *servertest.Company {
	t.Helper()
	c, err := collect.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Signer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	co := &servertest.Company{ID: "acme", Signer: s}
	co.Client, err = aggregation.NewClient(m, "acme", s, shares[0],
		shares[1])
	if err != nil {
		t.Fatal(err)
	}
	for range m.Metrics {
		co.Buckets = append(co.Buckets, 3)
	}
	return co
}

// keepAcme keeps, under acme's configuration, the metrics collect
// would have kept: the low end of bucket 3 of each metric.
func keepAcme(t *testing.T, m *methodology.Methodology, cfg string) {
	t.Helper()
	l := &collect.Local{Period: orgPeriod,
		Methodology: collect.MethodologyRef{Version: m.Version,
			Digest: m.Digest()},
		ComputedAt: time.Now(), Metrics: map[string]collect.LocalValue{}}
	for _, mt := range m.Metrics {
		r, err := mt.Range(3)
		if err != nil || r.Lo == nil {
			t.Fatalf("bucket 3 of %s: %v", mt.Name, err)
		}
		l.Metrics[mt.Name] = collect.LocalValue{Value: r.Lo, Bucket: 3}
	}
	c, err := collect.LoadMember(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.KeepLocal(context.Background(), l); err != nil {
		t.Fatal(err)
	}
}
