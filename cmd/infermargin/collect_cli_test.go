package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/client/collect"
	"github.com/infermargin/infermargin/client/simulator"
	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/node"
)

// cliSim serves a simulator of n companies whose history ends just
// after e2ePeriod, and returns it with its URL.
func cliSim(t *testing.T, n int) (*simulator.Simulator, string) {
	t.Helper()
	sim := simulator.New(4, n, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv.URL
}

// providersYAML writes co's provider keys to 0600 files in dir and
// returns the providers section of a collector configuration that
// reads them through file:// references from the simulator at sim.
func providersYAML(t *testing.T, co simulator.Company, sim,
	dir string) string {
	t.Helper()
	ref := func(name, key string) string {
		p := filepath.Join(dir, name+".key")
		if err := os.WriteFile(p, []byte(key+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return "file://" + p
	}
	var b strings.Builder
	b.WriteString("providers:\n")
	if co.OpenAIKey != "" {
		fmt.Fprintf(&b, "  openai:\n    base_url: %q\n    admin_key: %q\n",
			sim, ref("openai", co.OpenAIKey))
	}
	if co.AnthropicKey != "" {
		fmt.Fprintf(&b, "  anthropic:\n    base_url: %q\n    admin_key: %q\n",
			sim, ref("anthropic", co.AnthropicKey))
	}
	fmt.Fprintf(&b, "  stripe:\n    base_url: %q\n    restricted_key: %q\n"+
		"    ai_products:\n", sim, ref("stripe", co.StripeKey))
	if len(co.AIProductIDs) > 0 {
		b.WriteString("      ids:\n")
		for _, id := range co.AIProductIDs {
			fmt.Fprintf(&b, "        - %q\n", id)
		}
	}
	if len(co.AIMetadata) > 0 {
		b.WriteString("      metadata:\n")
		for k, v := range co.AIMetadata {
			fmt.Fprintf(&b, "        %q: %q\n", k, v)
		}
	}
	return b.String()
}

// writeConfig writes text to collector.yaml in dir and returns its
// path.
func writeConfig(t *testing.T, dir, text string) string {
	t.Helper()
	p := filepath.Join(dir, "collector.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// runCollectCmd runs `infermargin collect args...` with stdin, without
// the INFERMARGIN_* variables that would override the configuration,
// and returns its stdout, its stderr and its exit code.
func runCollectCmd(t *testing.T, stdin string, args ...string) (string,
	string, int) {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"collect"}, args...)...)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.ContainsFunc(collect.Env, func(e collect.EnvVar) bool {
			return e.Name == name
		})
	})
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("collect %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return out.String(), errb.String(), code
}

// checkNoKeys fails if any of co's provider keys is in output.
func checkNoKeys(t *testing.T, co simulator.Company, output ...string) {
	t.Helper()
	for _, k := range []string{co.OpenAIKey, co.AnthropicKey, co.StripeKey} {
		for _, o := range output {
			if k != "" && strings.Contains(o, k) {
				t.Errorf("output holds a provider key (%d chars)", len(k))
			}
		}
	}
}

// TestCollectDryRunJSON runs `collect --dry-run --json` for a few
// simulated companies, keys read from files, and checks the JSON
// against the simulator's truth and that no key is printed. Companies
// 0 to 2 have every metric; company 9 has no revenue yet, so its
// ratios over AI revenue are n/a.
func TestCollectDryRunJSON(t *testing.T) {
	const preRevenue = 9
	sim, url := cliSim(t, preRevenue+1)
	m, err := methodology.Load("v1")
	if err != nil {
		t.Fatal(err)
	}
	cos := sim.Companies()
	for _, i := range []int{0, 1, 2, preRevenue} {
		co := cos[i]
		t.Run(co.ID, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeConfig(t, dir, providersYAML(t, co, url, dir))
			stdout, stderr, code := runCollectCmd(t, "", "--config", cfg,
				"--period", e2ePeriod, "--dry-run", "--json")
			if code != 0 {
				t.Fatalf("exit %d, want 0\nstderr:\n%s", code, stderr)
			}
			checkNoKeys(t, co, stdout, stderr)
			if !strings.Contains(stderr, "nothing was sent") {
				t.Errorf("stderr lacks the dry-run notice:\n%s", stderr)
			}
			tr, err := sim.Truth(i, e2ePeriod)
			if err != nil {
				t.Fatal(err)
			}
			if i == preRevenue && !slices.Contains(
				slices.Collect(maps.Values(tr.Metrics)), nil) {
				t.Errorf("simulator truth of %s has no n/a metric; "+
					"null is not checked", co.ID)
			}
			checkDryRunJSON(t, m, tr, []byte(stdout))
		})
	}
}

// dryRunJSON is the --json output, its parts left raw where the test
// checks their shape.
type dryRunJSON struct {
	Period      string `json:"period"`
	Methodology struct {
		Version string `json:"version"`
		Digest  string `json:"digest"`
	} `json:"methodology"`
	Inputs  map[string]json.RawMessage `json:"inputs"`
	Metrics map[string]struct {
		Value  *float64        `json:"value"`
		Bucket json.RawMessage `json:"bucket"`
	} `json:"metrics"`
}

func checkDryRunJSON(t *testing.T, m *methodology.Methodology,
	tr *simulator.Truth, out []byte) {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(out, &top); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	var keys []string
	for k := range top {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"inputs", "methodology", "metrics", "period"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("top-level keys differ (-want +got):\n%s", diff)
	}

	var got dryRunJSON
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.Period != e2ePeriod {
		t.Errorf("period = %q, want %q", got.Period, e2ePeriod)
	}
	if got.Methodology.Version != "v1" || got.Methodology.Digest !=
		m.Digest() {
		t.Errorf("methodology = %+v, want v1 with digest %s",
			got.Methodology, m.Digest())
	}

	var spend float64
	if err := json.Unmarshal(got.Inputs["llm_spend_usd"], &spend); err != nil {
		t.Errorf("inputs.llm_spend_usd: %v", err)
	}
	if want, _ := tr.LLMSpend.Float64(); spend != want {
		t.Errorf("inputs.llm_spend_usd = %v, want %v (simulator truth)",
			spend, want)
	}

	if len(got.Metrics) != len(m.Metrics) {
		t.Errorf("%d metrics, want %d", len(got.Metrics), len(m.Metrics))
	}
	for j := range m.Metrics {
		mt := &m.Metrics[j]
		it, ok := got.Metrics[mt.Name]
		if !ok {
			t.Errorf("metric %s missing", mt.Name)
			continue
		}
		tv, ok := tr.Metrics[mt.Name]
		if !ok {
			t.Fatalf("simulator has no truth for %s", mt.Name)
		}
		switch {
		case tv == nil && it.Value != nil:
			t.Errorf("%s = %v, want null (n/a)", mt.Name, *it.Value)
		case tv != nil && it.Value == nil:
			t.Errorf("%s = null, want %v", mt.Name, *tv)
		case tv != nil && *tv != *it.Value:
			t.Errorf("%s = %v, want %v (simulator truth)", mt.Name,
				*it.Value, *tv)
		}
		checkBucket(t, mt, tv, it.Bucket)
	}
}

// checkBucket checks that a metric's bucket in JSON is "n/a" for n/a,
// else the range of the bucket the true value v falls in.
func checkBucket(t *testing.T, mt *methodology.Metric, v *float64,
	raw json.RawMessage) {
	t.Helper()
	if v == nil {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || s != "n/a" {
			t.Errorf("%s bucket = %s, want \"n/a\"", mt.Name, raw)
		}
		return
	}
	i, err := mt.BucketOf(v)
	if err != nil {
		t.Fatal(err)
	}
	r, err := mt.Range(i)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Lo *float64 `json:"lo"`
		Hi *float64 `json:"hi"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Errorf("%s bucket = %s, want {lo, hi}: %v", mt.Name, raw, err)
		return
	}
	if diff := cmp.Diff(r.Lo, got.Lo); diff != "" {
		t.Errorf("%s bucket lo differs (-want +got):\n%s", mt.Name, diff)
	}
	if diff := cmp.Diff(r.Hi, got.Hi); diff != "" {
		t.Errorf("%s bucket hi differs (-want +got):\n%s", mt.Name, diff)
	}
}

// TestCollectRefusesKeyValue checks that a key written where a
// reference belongs is refused, the setting named and the key never
// repeated.
func TestCollectRefusesKeyValue(t *testing.T) {
	const sim = "http://127.0.0.1:1"
	tests := []struct {
		setting, key, yaml string
	}{
		{"providers.openai.admin_key", "sk-admin-abc123def456ghi789",
			"providers:\n  openai:\n    base_url: %q\n" +
				"    admin_key: %s\n"},
		{"providers.anthropic.admin_key", "sk-ant-admin-abc123def456ghi789",
			"providers:\n  anthropic:\n    base_url: %q\n" +
				"    admin_key: %s\n"},
		{"providers.stripe.restricted_key", "rk_live_abc123def456ghi789",
			"providers:\n  stripe:\n    base_url: %q\n" +
				"    restricted_key: %s\n    ai_products:\n" +
				"      ids: [prod_ai]\n"},
	}
	for _, tc := range tests {
		t.Run(tc.setting, func(t *testing.T) {
			cfg := writeConfig(t, t.TempDir(), fmt.Sprintf(tc.yaml, sim,
				tc.key))
			for _, dry := range []bool{true, false} {
				args := []string{"--config", cfg, "--period", e2ePeriod}
				if dry {
					args = append(args, "--dry-run")
				}
				stdout, stderr, code := runCollectCmd(t, "", args...)
				if code == 0 {
					t.Errorf("dry run %v: exit 0, want non-zero", dry)
				}
				if !strings.Contains(stderr, tc.setting) ||
					!strings.Contains(stderr, "secret reference") {
					t.Errorf("dry run %v: stderr does not name %s as "+
						"wanting a secret reference:\n%s", dry,
						tc.setting, stderr)
				}
				for _, o := range []string{stdout, stderr} {
					if strings.Contains(o, tc.key) ||
						strings.Contains(o, "abc123") {
						t.Errorf("dry run %v: output repeats the key:\n%s",
							dry, o)
					}
				}
			}
		})
	}
}

// TestCollectAsksBeforeSending runs collect for upload against two
// recording stand-ins for the aggregators, answers "n" to the prompt
// and checks that the command said what would leave and sent nothing.
func TestCollectAsksBeforeSending(t *testing.T) {
	sim, url := cliSim(t, 1)
	co := sim.Companies()[0]
	dir := t.TempDir()

	// The stand-ins record any request and answer 500.
	fail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		_ *http.Request) {
		http.Error(w, "stand-in", http.StatusInternalServerError)
	}))
	t.Cleanup(fail.Close)
	var recs [2]recording
	leader, helper := recs[0].proxy(t, fail.URL), recs[1].proxy(t, fail.URL)

	ldir, hdir := filepath.Join(dir, "leader"), filepath.Join(dir, "helper")
	run(t, "aggregator", "keys", "--role", "leader", "--dir", ldir)
	run(t, "aggregator", "keys", "--role", "helper", "--dir", hdir)
	kek := filepath.Join(dir, "kek.json")
	if err := keys.GenerateLocalKEK(kek); err != nil {
		t.Fatal(err)
	}
	signing := writeSigningKey(t, co.ID, dir, kek)

	text := providersYAML(t, co, url, dir) + fmt.Sprintf(
		"aggregators:\n"+
			"  leader: %q\n  helper: %q\n"+
			"  company: %q\n  cohort: \"cli@1\"\n"+
			"  signing_key: %q\n  kek: %q\n"+
			"  leader_share_key: %q\n  helper_share_key: %q\n"+
			"  leader_statement_key: %q\n  helper_statement_key: %q\n"+
			"  receipts_dir: receipts\n",
		leader, helper, co.ID, signing, kek,
		filepath.Join(ldir, node.SharePubFile),
		filepath.Join(hdir, node.SharePubFile),
		filepath.Join(ldir, node.StatementPubFile),
		filepath.Join(hdir, node.StatementPubFile))
	cfg := writeConfig(t, dir, text)

	for _, tc := range []struct {
		name, stdin string
		wantCode    int
		want        string
	}{
		// A declined prompt is not an error: the command documents
		// it by printing "Nothing was sent." and returning nil.
		{"no", "n\n", 0, "Nothing was sent."},
		{"empty answer", "\n", 0, "Nothing was sent."},
		// No answer at all is an error that points at --yes.
		{"eof", "", 1, "pass --yes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runCollectCmd(t, tc.stdin, "--config",
				cfg, "--period", e2ePeriod, "--json")
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d\nstderr:\n%s", code, tc.wantCode,
					stderr)
			}
			checkNoKeys(t, co, stdout, stderr)
			var s map[string]any
			if err := json.Unmarshal([]byte(stdout), &s); err != nil {
				t.Errorf("stdout is not the JSON summary alone: %v\n%s",
					err, stdout)
			}
			for _, re := range []string{
				`What leaves this machine: one report, sent to both ` +
					`aggregators\.`,
				`report [0-9a-f]{32}, batch \S+, company ` +
					regexp.QuoteMeta(co.ID),
				`\d+ public shares, \d+ bytes in all`,
				`leader share \(` + regexp.QuoteMeta(leader) +
					`\): [1-9]\d* bytes encrypted to it`,
				`helper share \(` + regexp.QuoteMeta(helper) +
					`\): [1-9]\d* bytes encrypted to it`,
				`signature: [1-9]\d* bytes`,
				`Upload this report\? \[y/N\]`,
				regexp.QuoteMeta(tc.want),
			} {
				if !regexp.MustCompile(re).MatchString(stderr) {
					t.Errorf("stderr does not match %s:\n%s", re, stderr)
				}
			}
			if strings.Contains(stderr, "uploaded") ||
				strings.Contains(stderr, "receipt kept") {
				t.Errorf("stderr claims an upload:\n%s", stderr)
			}
			for role := range recs {
				recs[role].mu.Lock()
				n := len(recs[role].reqs)
				recs[role].mu.Unlock()
				if n != 0 {
					t.Errorf("aggregator %d got %d requests, want none",
						role, n)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "receipts")); err == nil {
				t.Error("a receipts folder was made though nothing was sent")
			}
		})
	}
}

// writeSigningKey writes a new signing keyset for company to
// dir/signing.json, encrypted under the KEK file as the collector
// reads it, like (*e2e).signingKey but enrolling it nowhere.
func writeSigningKey(t *testing.T, company, dir, kekFile string) string {
	t.Helper()
	kek, err := keys.LoadLocalKEK(kekFile)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.GenerateSigner()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = keys.WriteEncrypted(&b, s.Handle(), kek,
		collect.SigningPurpose(company))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "signing.json")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
