package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/servertest"
)

// TestPublicAPI runs a cohort of 30 and one of 29 through both nodes
// over HTTP and reads the results as the public does.
func TestPublicAPI(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	cs := p.newCompanies(t, 69, 7, false)
	for _, c := range cs[40:] {
		c.Answers.UseCase = "coding_assistant"
	}
	p.enroll(t, cs)
	full := p.cohort(t, "full", "customer_support")
	small := p.cohort(t, "small", "coding_assistant")
	for _, b := range []aggregation.BatchID{full, small} {
		p.open(t, b)
	}
	reports := p.uploadAll(t, full, cs[:40])
	p.uploadAll(t, small, cs[40:])
	for _, b := range []aggregation.BatchID{full, small} {
		p.close(t, b)
		if _, err := p.admin[0].Aggregate(ctx, b); err != nil {
			t.Fatalf("aggregate %s: %v", b, err)
		}
		if _, err := p.admin[0].Publish(ctx, b, aggregation.Public); err != nil {
			t.Fatalf("publish %s: %v", b, err)
		}
	}

	got, err := p.admin[0].Report(ctx, api.Ref(full))
	if err != nil {
		t.Fatal(err)
	}
	want := servertest.Want(p.m, cs[:40])
	if diff := servertest.Diff(want, got.Metrics); diff != "" {
		t.Errorf("published %s differs from plaintext (-want +got):\n%s",
			full, diff)
	}
	if got.Methodology.Digest != p.m.Digest() || got.Count != 40 ||
		got.Statements == nil {
		t.Errorf("report %s = digest %s, count %d, statements %v; want "+
			"%s, 40, both", got.ID, got.Methodology.Digest, got.Count,
			got.Statements != nil, p.m.Digest())
	}
	checkSuppressed(t, p, small)
	checkList(t, p, full, small)
	checkEndpoints(t, p)
	var secrets []string
	for _, r := range reports {
		secrets = append(secrets, base64.StdEncoding.EncodeToString(
			r.Shares[0]), base64.StdEncoding.EncodeToString(r.Signature))
	}
	p.checkLogs(t, append(secrets, p.admin[0].Token)...)
}

func checkSuppressed(t *testing.T, p *pair, b aggregation.BatchID) {
	t.Helper()
	got, err := p.admin[0].Report(context.Background(), api.Ref(b))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range got.Metrics {
		if !m.Suppressed || m.Reason == "" || m.N != nil ||
			m.Percentiles != nil {
			t.Errorf("%s metric %s = %+v, want suppressed with a reason "+
				"and no numbers", b, m.Name, m)
		}
	}
	if got.Statements != nil || got.Count != 0 {
		t.Errorf("%s: count %d, statements %v; want none", b, got.Count,
			got.Statements)
	}
}

func checkList(t *testing.T, p *pair, full, small aggregation.BatchID) {
	t.Helper()
	var list api.Reports
	getJSON(t, p.srv[0].URL+"/v1/reports", http.StatusOK, &list)
	got := map[string]bool{}
	for _, s := range list.Reports {
		got[s.ID] = s.Suppressed
		if s.Suppressed != (s.Reason != "") {
			t.Errorf("list entry %s: suppressed %v with reason %q", s.ID,
				s.Suppressed, s.Reason)
		}
		if s.Methodology != "v1" || s.PublishedAt.IsZero() {
			t.Errorf("list entry %+v lacks methodology or time", s)
		}
	}
	want := map[string]bool{api.Ref(full): false, api.Ref(small): true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET /v1/reports suppressed flags (-want +got):\n%s", diff)
	}
}

func checkEndpoints(t *testing.T, p *pair) {
	t.Helper()
	var m struct {
		Version, Digest string
		Definition      json.RawMessage
	}
	getJSON(t, p.srv[0].URL+"/v1/methodology/v1", http.StatusOK, &m)
	if m.Digest != p.m.Digest() || len(m.Definition) == 0 {
		t.Errorf("methodology v1 = digest %q, %d bytes; want %q", m.Digest,
			len(m.Definition), p.m.Digest())
	}
	getJSON(t, p.srv[0].URL+"/v1/methodology/v9", http.StatusNotFound, nil)
	getJSON(t, p.srv[0].URL+"/v1/reports/nope@1.2026-11.v1",
		http.StatusNotFound, nil)
	getJSON(t, p.srv[1].URL+"/readyz", http.StatusOK, nil)
	getJSON(t, p.srv[1].URL+"/healthz", http.StatusOK, nil)

	resp, err := http.Get(p.srv[0].URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`infermargin_uploads_total{result="ok"} 69`,
		`infermargin_publications_total{suppressed="false",tier="public"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("GET /metrics lacks %q", want)
		}
	}
}

func getJSON(t *testing.T, url string, status int, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("GET %s = %d %s, want %d", url, resp.StatusCode, body,
			status)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
}

// TestAuth checks that the internal and admin endpoints refuse callers
// without the right token, and that a refusal changes nothing.
func TestAuth(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	b := batchOf("auth@1")
	tests := []struct {
		name   string
		admin  *servertest.Admin
		method string
		path   string
		in     any
	}{
		{"admin without token", &servertest.Admin{URL: p.srv[0].URL},
			http.MethodPost, "/v1/admin/batches",
			map[string]any{"batch": api.FromBatch(b)}},
		{"admin with wrong token",
			&servertest.Admin{URL: p.srv[0].URL, Token: "guess"},
			http.MethodPost, "/v1/admin/batches",
			map[string]any{"batch": api.FromBatch(b)}},
		{"admin token on internal endpoint",
			&servertest.Admin{URL: p.srv[1].URL, Token: p.admin[1].Token},
			http.MethodPost, "/v1/internal/shares",
			api.ShareRequest{Batch: api.FromBatch(b), Tier: "public"}},
		{"internal endpoint on the leader",
			&servertest.Admin{URL: p.srv[0].URL, Token: p.admin[0].Token},
			http.MethodPost, "/v1/internal/shares",
			api.ShareRequest{Batch: api.FromBatch(b), Tier: "public"}},
	}
	for _, tc := range tests {
		status, err := tc.admin.Do(ctx, tc.method, tc.path, tc.in, nil)
		if status != http.StatusUnauthorized ||
			!strings.Contains(err.Error(), "unauthorized") {
			t.Errorf("%s: %d %v, want 401 unauthorized", tc.name, status, err)
		}
	}
	_, err := p.admin[1].Aggregate(ctx, b)
	if err == nil || !strings.Contains(err.Error(), "404 not_found") {
		t.Errorf("aggregate on the helper = %v, want 404 not_found", err)
	}
	err = p.admin[0].Close(ctx, b)
	if !errors.Is(err, aggregation.ErrUnknownBatch) {
		t.Errorf("after refused opens, Close(%s) = %v, want %v", b, err,
			aggregation.ErrUnknownBatch)
	}
}

// TestBadInput sends each kind of bad upload and checks its status and
// code, then that the batch still publishes exactly the good reports.
func TestBadInput(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	cs := p.companies(t, 30, 11, false)
	b := p.cohort(t, "bad", "customer_support")
	closed := p.cohort(t, "shut", "customer_support")
	p.open(t, b)
	p.open(t, closed)
	p.close(t, closed)
	first, err := cs[0].Client.NewReport(b, cs[0].Buckets)
	if err != nil {
		t.Fatal(err)
	}
	sendTo(t, p, 0, api.FromReport(first), http.StatusCreated, "")
	sendTo(t, p, 1, api.FromReport(first), http.StatusCreated, "")
	good := p.uploadAll(t, b, cs) // replaces first for cs[0]

	for _, tc := range badInputs(t, p, cs[1], b, closed, first) {
		t.Run(tc.name, func(t *testing.T) {
			sendRaw(t, p, tc.role, tc.body, tc.status, tc.code)
		})
	}

	p.close(t, b)
	if _, err := p.admin[0].Aggregate(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := p.admin[0].Publish(ctx, b, aggregation.Public)
	if err != nil {
		t.Fatal(err)
	}
	want := servertest.Want(p.m, cs)
	if diff := servertest.Diff(want, got.Metrics); diff != "" || got.Count != 30 {
		t.Errorf("after bad input, %s published %d reports (want 30), "+
			"(-want +got):\n%s", b, got.Count, diff)
	}
	if _, err := p.nodes[0].Store.Report(ctx, good[0].ID); err != nil {
		t.Errorf("current report of %s lost: %v", cs[0].ID, err)
	}
}

type badInput struct {
	name   string
	role   int
	body   []byte
	status int
	code   string
}

func badInputs(t *testing.T, p *pair, c *servertest.Company,
	b, closed aggregation.BatchID, replayed *aggregation.Report) []badInput {
	mk := func(batch aggregation.BatchID) *aggregation.Report {
		r, err := c.Client.NewReport(batch, c.Buckets)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	enc := func(u *api.Upload) []byte {
		out, _ := json.Marshal(u)
		return out
	}
	badB64 := api.FromReport(mk(b))
	badB64.LeaderShare = "%%%not-base64%%%"
	badSig := mk(b)
	badSig.Signature[len(badSig.Signature)-1] ^= 1
	otherRole := mk(b)
	otherRole.Shares[1] = otherRole.Shares[0]
	resign(t, c.Signer, otherRole)
	stranger := api.FromReport(mk(b))
	stranger.Company = "not-enrolled"
	unknownField := bytes.Replace(enc(api.FromReport(mk(b))), []byte(`"id"`),
		[]byte(`"ident"`), 1)
	return []badInput{
		{"malformed JSON", 0, []byte(`{"id": "00",`), 400, "malformed_json"},
		{"unknown field", 0, unknownField, 400, "malformed_json"},
		{"wrong base64", 0, enc(badB64), 400, "bad_base64"},
		{"oversized body", 0, bytes.Repeat([]byte(" "), 300<<10), 413,
			"body_too_large"},
		{"unknown batch", 0, enc(api.FromReport(mk(batchOf("none@1")))),
			404, "unknown_batch"},
		{"replayed report id", 1, enc(api.FromReport(replayed)), 409,
			"replayed_report"},
		{"wrong signature", 0, enc(api.FromReport(badSig)), 400,
			"bad_signature"},
		{"unknown company", 0, enc(stranger), 403, "unknown_company"},
		{"share for the other role", 1, enc(api.FromReport(otherRole)), 400,
			"decrypt_failed"},
		{"upload after the batch closed", 0,
			enc(api.FromReport(mk(closed))), 409, "batch_closed"},
	}
}

func resign(t *testing.T, s *sign.Signer, r *aggregation.Report) {
	t.Helper()
	sig, err := s.Sign(sign.KindReport, r.SignedBytes())
	if err != nil {
		t.Fatal(err)
	}
	r.Signature = sig
}

func sendTo(t *testing.T, p *pair, role int, u *api.Upload, status int,
	code string) {
	t.Helper()
	body, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	sendRaw(t, p, role, body, status, code)
}

func sendRaw(t *testing.T, p *pair, role int, body []byte, status int,
	code string) {
	t.Helper()
	resp, err := http.Post(p.srv[role].URL+"/v1/uploads",
		"application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e api.Error
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &e)
	if resp.StatusCode != status || e.Error.Code != code {
		t.Errorf("upload = %d %q (%s), want %d %q", resp.StatusCode,
			e.Error.Code, e.Error.Message, status, code)
	}
	if code != "" && e.Error.Message == "" {
		t.Errorf("upload refused with code %q and no message", code)
	}
}
