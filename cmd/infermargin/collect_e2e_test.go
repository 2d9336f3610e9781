package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/client/collect"
	"github.com/infermargin/infermargin/client/simulator"
	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/internal/testenv"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/node"
	"github.com/infermargin/infermargin/server/servertest"
)

// e2ePeriod is the month collected; the simulator's history ends at
// the first second after it, so every record is in the window.
const e2ePeriod = "2026-11"

// e2e is a simulator of companies, a Vault holding their provider
// keys and a leader and helper process, with one collector
// configuration per company.
type e2e struct {
	c    *cluster
	sim  *simulator.Simulator
	cos  []simulator.Company
	m    *methodology.Methodology
	b    aggregation.BatchID
	cfgs []*collect.Config
	// vaultToken is what the collectors log in to Vault with.
	vaultToken string
}

// newE2E starts everything for n companies, enrolls each company's
// new signing key with both nodes, has both approve them, defines the
// cohort and opens the batch.
func newE2E(t *testing.T, n int) *e2e {
	t.Helper()
	w := &e2e{c: newCluster(t, 10),
		b: aggregation.BatchID{Cohort: "e2e@1", Period: e2ePeriod,
			Methodology: "v1"}}
	var err error
	if w.m, err = methodology.Load("v1"); err != nil {
		t.Fatal(err)
	}
	w.sim = simulator.New(4, n,
		time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	w.cos = w.sim.Companies()
	srv := httptest.NewServer(w.sim.Handler())
	t.Cleanup(srv.Close)

	v := testenv.Vault(t)
	w.vaultToken = v.Token
	// The resolver reads its token from VAULT_TOKEN; set after the
	// nodes started, so only the collector sees it.
	t.Setenv("VAULT_TOKEN", v.Token)
	dir := t.TempDir()
	kek := filepath.Join(dir, "kek.json")
	if err := keys.GenerateLocalKEK(kek); err != nil {
		t.Fatal(err)
	}
	for _, co := range w.cos {
		cfg := w.config(t, v, srv.URL, co, filepath.Join(dir, co.ID), kek)
		w.cfgs = append(w.cfgs, cfg)
	}

	w.approve(t)
	w.define(t, w.b)
	w.open(t, w.b)
	return w
}

// approve has each node's operator approve every company.
func (w *e2e) approve(t *testing.T) {
	t.Helper()
	var ids []string
	for _, co := range w.cos {
		ids = append(ids, co.ID)
	}
	for _, a := range w.c.admin {
		if _, err := a.Approve(context.Background(), "e2e", ids...); err != nil {
			t.Fatal(err)
		}
	}
}

// config stores co's provider keys in Vault, makes and enrolls its
// signing key, and returns its collector configuration, whose keys
// are all vault:// references.
func (w *e2e) config(t *testing.T, v *testenv.VaultServer, sim string,
	co simulator.Company, dir, kek string) *collect.Config {
	t.Helper()
	data := map[string]any{"stripe": co.StripeKey}
	if co.OpenAIKey != "" {
		data["openai"] = co.OpenAIKey
	}
	if co.AnthropicKey != "" {
		data["anthropic"] = co.AnthropicKey
	}
	path := v.PutKV(t, co.ID, data)
	ref := func(field string) string {
		return "vault://" + v.KVMount + "/" + path + "#" + field
	}

	p := collect.Providers{Stripe: &collect.Stripe{BaseURL: sim,
		RestrictedKey: ref("stripe"),
		AIProducts: collect.AIProducts{IDs: co.AIProductIDs,
			Metadata: co.AIMetadata}}}
	if co.OpenAIKey != "" {
		p.OpenAI = &collect.AdminAPI{BaseURL: sim, AdminKey: ref("openai")}
	}
	if co.AnthropicKey != "" {
		p.Anthropic = &collect.AdminAPI{BaseURL: sim,
			AdminKey: ref("anthropic")}
	}
	l, h := w.c.procs[aggregation.Leader], w.c.procs[aggregation.Helper]
	cfg := &collect.Config{Providers: p, Vault: collect.Vault{Address: v.Addr},
		Aggregators: &collect.Aggregators{
			Leader: w.c.to[0].URL, Helper: w.c.to[1].URL,
			Company: co.ID, Cohort: w.b.Cohort,
			SigningKey:         w.signingKey(t, co.ID, dir, kek),
			KEK:                kek,
			LeaderShareKey:     filepath.Join(l.dir, node.SharePubFile),
			HelperShareKey:     filepath.Join(h.dir, node.SharePubFile),
			LeaderStatementKey: filepath.Join(l.dir, node.StatementPubFile),
			HelperStatementKey: filepath.Join(h.dir, node.StatementPubFile),
			ReceiptsDir:        filepath.Join(dir, "receipts")}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// signingKey writes a new signing keyset for company, encrypted under
// the KEK file as the collector reads it, and enrolls its public key
// with both nodes.
func (w *e2e) signingKey(t *testing.T, company, dir, kekFile string) string {
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
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "signing.json")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	co := &servertest.Company{ID: company, Signer: s,
		Answers: servertest.DefaultAnswers}
	if co.Key, err = s.Verifier(); err != nil {
		t.Fatal(err)
	}
	for _, a := range w.c.admin {
		if err := a.Enroll(context.Background(), co); err != nil {
			t.Fatalf("enroll %s: %v", company, err)
		}
	}
	return p
}

// collect runs the collector for company i as the command does:
// compute, then upload. It returns the summary and receipt files.
func (w *e2e) collect(t *testing.T, i int, progress io.Writer) (
	*collect.Summary, []string) {
	t.Helper()
	ctx := context.Background()
	s, _, err := collect.Compute(ctx, w.cfgs[i], e2ePeriod, progress)
	if err != nil {
		t.Fatalf("collect %s: %v", w.cos[i].ID, err)
	}
	files, err := collect.Submit(ctx, w.cfgs[i], s)
	if err != nil {
		t.Fatalf("submit %s: %v", w.cos[i].ID, err)
	}
	return s, files
}

// truth returns company i's bucket indices in methodology order, from
// the simulator's own records rather than from the collector.
func (w *e2e) truth(t *testing.T, i int) []uint64 {
	t.Helper()
	return w.truthOf(t, i, e2ePeriod)
}

// truthOf is truth for a period.
func (w *e2e) truthOf(t *testing.T, i int, period string) []uint64 {
	t.Helper()
	tr, err := w.sim.Truth(i, period)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]uint64, len(w.m.Metrics))
	for j := range w.m.Metrics {
		mt := &w.m.Metrics[j]
		b, err := mt.BucketOf(tr.Metrics[mt.Name])
		if err != nil {
			t.Fatalf("%s: %s: %v", w.cos[i].ID, mt.Name, err)
		}
		out[j] = uint64(b)
	}
	return out
}

// TestCollectorEndToEnd runs the collector for 35 simulated companies
// against a leader and a helper process, keys read from Vault, and
// checks that the published percentiles are those the simulator's
// truth implies and that every receipt verifies. The first 32 collect
// the month before for a second batch: in it the ratios over AI
// revenue, n/a for the pre-revenue companies, fall under the public
// threshold of 30, so suppression is compared too.
func TestCollectorEndToEnd(t *testing.T) {
	const n, small = 35, 32
	w := newE2E(t, n)

	var cs []*servertest.Company
	for i := range n {
		s, files := w.collect(t, i, io.Discard)
		want := w.truth(t, i)
		if got := s.Buckets(); !slices.Equal(got, want) {
			t.Errorf("%s buckets = %v, want %v (simulator truth)",
				w.cos[i].ID, got, want)
		}
		w.checkReceipts(t, i, files)
		cs = append(cs, &servertest.Company{ID: w.cos[i].ID,
			Buckets: want})
	}
	if pub := w.publish(t, w.b, cs); pub != len(w.m.Metrics) {
		t.Errorf("%d companies: %d metrics published, want all %d", n,
			pub, len(w.m.Metrics))
	}

	// The second batch is of the month before, so that the two
	// releases, 3 companies apart, are not of one period: the
	// differencing guard would block the second (see server tests).
	const before = "2026-10"
	b := w.b
	b.Cohort, b.Period = "e2e-small@1", before
	w.define(t, b)
	w.open(t, b)
	cs = cs[:0]
	for i := range small {
		w.cfgs[i].Aggregators.Cohort = b.Cohort
		s, _, err := collect.Compute(context.Background(), w.cfgs[i],
			before, io.Discard)
		if err != nil {
			t.Fatalf("collect %s %s: %v", w.cos[i].ID, before, err)
		}
		if _, err := collect.Submit(context.Background(), w.cfgs[i],
			s); err != nil {
			t.Fatalf("submit %s to %s: %v", w.cos[i].ID, b, err)
		}
		cs = append(cs, &servertest.Company{ID: w.cos[i].ID,
			Buckets: w.truthOf(t, i, before)})
	}
	// Some metrics reach 30 defined values and some do not: the
	// pre-revenue companies are n/a in the ratios over AI revenue.
	if pub := w.publish(t, b, cs); pub == 0 || pub == len(w.m.Metrics) {
		t.Errorf("%d companies: %d metrics published, want some but "+
			"not all", small, pub)
	}
}

// open opens b through the leader, which opens it on the helper.
func (w *e2e) open(t *testing.T, b aggregation.BatchID) {
	t.Helper()
	if err := w.c.admin[0].Open(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

// define defines b's cohort, of the companies' use case, on both nodes.
func (w *e2e) define(t *testing.T, b aggregation.BatchID) {
	t.Helper()
	w.c.define(t, b, servertest.DefaultAnswers.UseCase)
}

// publish closes b, aggregates and publishes it, compares the report
// with what the buckets of cs imply, and returns how many metrics
// were published rather than suppressed.
func (w *e2e) publish(t *testing.T, b aggregation.BatchID,
	cs []*servertest.Company) int {
	t.Helper()
	ctx := context.Background()
	for _, a := range w.c.admin {
		if err := a.Close(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	st, err := w.c.admin[0].Aggregate(ctx, b)
	if err != nil || st.Accepted != len(cs) || st.Rejected != 0 {
		t.Fatalf("aggregate %s = %+v, %v; want %d accepted", b, st, err,
			len(cs))
	}
	got, err := w.c.admin[0].Publish(ctx, b, aggregation.Public)
	if err != nil {
		t.Fatal(err)
	}
	if got.Count != uint64(len(cs)) {
		t.Errorf("%s: published count = %d, want %d", b, got.Count,
			len(cs))
	}
	want := servertest.Want(w.m, cs)
	if diff := servertest.Diff(want, got.Metrics); diff != "" {
		t.Errorf("%s: published differs from the simulator's truth "+
			"(-want +got):\n%s", b, diff)
	}
	pub := 0
	for _, m := range got.Metrics {
		if !m.Suppressed {
			pub++
		}
	}
	return pub
}

// checkReceipts checks that company i kept one receipt per node, in
// its receipts folder, each signed by that node's statement key.
func (w *e2e) checkReceipts(t *testing.T, i int, files []string) {
	t.Helper()
	if len(files) != 2 {
		t.Fatalf("%s: %d receipt files, want 2", w.cos[i].ID, len(files))
	}
	roles := map[aggregation.Role]bool{}
	for _, f := range files {
		if filepath.Dir(f) != w.cfgs[i].Aggregators.ReceiptsDir {
			t.Errorf("receipt %s outside the receipts folder", f)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ar api.Receipt
		if err := json.Unmarshal(b, &ar); err != nil {
			t.Fatalf("receipt %s: %v", f, err)
		}
		rc, err := ar.Receipt()
		if err != nil {
			t.Fatalf("receipt %s: %v", f, err)
		}
		if err := rc.Verify(w.c.to[rc.Role].Key); err != nil {
			t.Errorf("receipt %s: %v", f, err)
		}
		if rc.Company != w.cos[i].ID || rc.Batch != w.b {
			t.Errorf("receipt %s is for %s in %s, want %s in %s", f,
				rc.Company, rc.Batch, w.cos[i].ID, w.b)
		}
		roles[rc.Role] = true
	}
	if len(roles) != 2 {
		t.Errorf("%s: receipts from %v, want both nodes", w.cos[i].ID,
			roles)
	}
}

// recording is a reverse proxy to a node that keeps every request's
// URL and body.
type recording struct {
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	url  string
	body []byte
}

// proxy puts a recording proxy in front of target and returns its URL.
func (rec *recording) proxy(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	s := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter,
		r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, recorded{r.URL.String(), body})
		rec.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		rp.ServeHTTP(rw, r)
	}))
	t.Cleanup(s.Close)
	return s.URL
}

// uploadFields are the keys of an upload, and all of them.
var uploadFields = []string{"batch", "company", "helper_share", "id",
	"leader_share", "public_shares", "signature"}

// TestCollectorSendsNoRawValues runs the collector for a few companies
// through recording proxies in front of the nodes and checks that
// what reached them, and what they and the collector logged, holds no
// figure, metric value or key.
func TestCollectorSendsNoRawValues(t *testing.T) {
	const n = 10 // the narrowest cohort a batch opens for
	w := newE2E(t, n)
	var recs [2]recording
	for i := range w.cfgs {
		a := w.cfgs[i].Aggregators
		a.Leader = recs[0].proxy(t, w.c.to[0].URL)
		a.Helper = recs[1].proxy(t, w.c.to[1].URL)
	}
	logs := [2]<-chan string{w.c.procs[0].watch(), w.c.procs[1].watch()}

	var progress bytes.Buffer
	var secrets []string
	for i := range n {
		s, _ := w.collect(t, i, &progress)
		secrets = append(secrets, needles(w.cos[i], s)...)
	}
	secrets = append(secrets, w.vaultToken)

	for role := range recs {
		reqs := recs[role].reqs
		if len(reqs) != n {
			t.Errorf("%s got %d requests, want %d uploads",
				aggregation.Role(role), len(reqs), n)
		}
		for _, r := range reqs {
			checkUpload(t, r.body)
			for _, s := range secrets {
				if strings.Contains(r.url, s) ||
					bytes.Contains(r.body, []byte(s)) {
					t.Errorf("request %s to the %s holds a secret or "+
						"figure (%d chars)", r.url, aggregation.Role(role),
						len(s))
				}
			}
		}
	}

	lines := drain(logs, n)
	if len(lines) == 0 {
		t.Error("the nodes logged nothing; nothing checked there")
	}
	t.Logf("checked %d requests and %d node log lines for %d strings",
		len(recs[0].reqs)+len(recs[1].reqs), len(lines), len(secrets))
	lines = append(lines, strings.Split(progress.String(), "\n")...)
	if progress.Len() == 0 {
		t.Error("the collector wrote no progress; nothing checked there")
	}
	for _, l := range lines {
		for _, s := range secrets {
			if strings.Contains(l, s) {
				t.Errorf("log line holds a secret or figure (%d chars): "+
					"%.40s...", len(s), l)
			}
		}
	}
}

// checkUpload checks that body is an upload and nothing more.
func checkUpload(t *testing.T, body []byte) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Errorf("upload body is not a JSON object: %v", err)
		return
	}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	if diff := cmp.Diff(uploadFields, got); diff != "" {
		t.Errorf("upload keys differ (-want +got):\n%s", diff)
	}
}

// needles are what must not leave the collector for company co: its
// provider keys, and every figure and metric value of s written as
// %v, %.2f and in cents. Strings under 6 characters are left out: in
// kilobytes of base64 they would turn up by chance.
func needles(co simulator.Company, s *collect.Summary) []string {
	out := []string{co.StripeKey, co.OpenAIKey, co.AnthropicKey}
	in := s.Inputs
	vs := []float64{in.LLMSpend, in.AIRevenue, in.MRR, in.MRRPrev,
		in.AIPaymentFees, in.TotalRevenue}
	for _, it := range s.Metrics {
		if it.Value != nil {
			vs = append(vs, *it.Value)
		}
	}
	for _, v := range vs {
		out = append(out, fmt.Sprint(v), fmt.Sprintf("%.2f", v),
			fmt.Sprint(int64(math.Round(v*100))))
	}
	return slices.DeleteFunc(out, func(s string) bool {
		return len(s) < 6
	})
}

// drain collects the nodes' log lines: from each, until it has
// logged at least want lines and gone quiet, or two seconds pass.
func drain(chs [2]<-chan string, want int) []string {
	var out []string
	for _, ch := range chs {
		out = append(out, drainOne(ch, want)...)
	}
	return out
}

func drainOne(ch <-chan string, want int) []string {
	var out []string
	deadline := time.After(2 * time.Second)
	for {
		wait := deadline
		if len(out) >= want {
			wait = time.After(100 * time.Millisecond)
		}
		select {
		case l := <-ch:
			out = append(out, l)
		case <-wait:
			return out
		}
	}
}
