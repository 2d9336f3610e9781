package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/servertest"
	"github.com/infermargin/infermargin/server/store"
)

// account creates an operator account straight in a node's store, as
// `infermargin aggregator account` does, and returns its admin client.
func (p *pair) account(t *testing.T, role aggregation.Role, name string,
	roles ...string) *servertest.Admin {
	t.Helper()
	token, acct, err := server.NewAccount(name, roles, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = p.nodes[role].Store.PutAccount(context.Background(), acct,
		&store.AuditEntry{At: acct.CreatedAt, Actor: "local:test",
			Action: "account.create", Target: name})
	if err != nil {
		t.Fatal(err)
	}
	return &servertest.Admin{URL: p.srv[role].URL, Token: token}
}

// wantCode fails unless err is an API error with the given status and
// code whose message says each of words.
func wantCode(t *testing.T, what string, err error, status int,
	code string, words ...string) {
	t.Helper()
	prefix := fmt.Sprintf("%d %s", status, code)
	if err == nil || !strings.Contains(err.Error(), prefix) {
		t.Errorf("%s = %v, want %s", what, err, prefix)
		return
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s = %v, does not say %q", what, err, w)
		}
	}
}

// upload sends one company's report for b to both nodes and returns
// each node's error.
func (p *pair) upload(t *testing.T, c *servertest.Company,
	b aggregation.BatchID) error {
	t.Helper()
	r, err := c.Client.NewReport(b, c.Buckets)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.submitter().Submit(context.Background(), r)
	return err
}

// TestEnrollment checks that nothing is accepted from a company until
// the operator of each node approves it, and that a rejection needs a
// reason and keeps the company out.
func TestEnrollment(t *testing.T) {
	p := newPostgresPair(t)
	ctx := context.Background()
	cs := p.companies(t, 10, 1, false)
	b := p.cohort(t, "support", "customer_support")
	p.open(t, b)

	// Ids co-0010 and co-0011, after those of cs. A new enrollment is
	// answered 201, the same again 200.
	late := p.newCompanies(t, 12, 2, false)[10:]
	approved, rejected := late[0].ID, late[1].ID
	for _, c := range late {
		req := must(servertest.EnrollmentOf(c))
		for _, a := range p.admin {
			for _, want := range []int{201, 200} {
				status, err := a.Do(ctx, http.MethodPost,
					"/v1/enrollments", req, nil)
				if err != nil || status != want {
					t.Fatalf("enroll %s = %d, %v; want %d", c.ID, status,
						err, want)
				}
			}
		}
	}
	changed := *late[0]
	changed.Answers.TeamSize = "1-10"
	err := p.admin[0].Enroll(ctx, &changed)
	wantCode(t, "enroll again with other answers", err, 409,
		"enrollment_exists")
	err = p.upload(t, late[0], b)
	wantCode(t, "upload while pending", err, 403, "unknown_company")

	var pending api.Enrollments
	if _, err := p.admin[1].Do(ctx, http.MethodGet,
		"/v1/admin/enrollments?state=pending", nil, &pending); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range pending.Enrollments {
		names = append(names, e.Company)
		if e.Answers != servertest.DefaultAnswers || e.KeyID == "" {
			t.Errorf("pending %s = %+v, want its answers and key id",
				e.Company, e)
		}
	}
	if !slices.Equal(names, []string{approved, rejected}) {
		t.Errorf("pending enrollments = %v", names)
	}

	_, err = p.admin[1].Do(ctx, http.MethodPost,
		"/v1/admin/enrollments/reject",
		api.Decision{Companies: []string{rejected}}, nil)
	wantCode(t, "reject without reason", err, 400, "reason_required")
	for _, a := range p.admin {
		if _, err := a.Do(ctx, http.MethodPost,
			"/v1/admin/enrollments/reject", api.Decision{
				Companies: []string{rejected},
				Reason:    "not an AI company"}, nil); err != nil {
			t.Fatalf("reject: %v", err)
		}
	}
	if _, err := p.admin[0].Approve(ctx, "checked", approved); err != nil {
		t.Fatal(err)
	}
	_, err = p.admin[0].Approve(ctx, "again", approved)
	wantCode(t, "approve twice", err, 409, "already_decided")

	// Approved on the leader only: the helper still refuses it, and
	// the members of the open batch's cohort version do not change.
	for _, c := range late {
		r := must(c.Client.NewReport(b, c.Buckets))
		sendTo(t, p, 1, api.FromReport(r), 403, "unknown_company")
	}
	// On the leader it is approved, but not a member of the cohort
	// version the batch was opened with.
	r := must(late[0].Client.NewReport(b, late[0].Buckets))
	sendTo(t, p, 0, api.FromReport(r), 403, "not_member")
	if err := p.upload(t, cs[0], b); err != nil {
		t.Errorf("member upload: %v", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestBadEnrollment sends malformed enrollments and checks each is
// refused with a code naming the problem, and nothing is recorded.
func TestBadEnrollment(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	c := p.newCompanies(t, 1, 1, false)[0]
	other := p.newCompanies(t, 2, 2, false)[1]
	raw, err := c.Key.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	good := func() *api.EnrollmentRequest {
		return &api.EnrollmentRequest{Company: c.ID,
			Key: api.EncodeKey(raw), Answers: servertest.DefaultAnswers}
	}
	signed := func(r *api.EnrollmentRequest,
		by *servertest.Company) *api.EnrollmentRequest {
		sig := must(by.Signer.Sign(sign.KindEnrollment, r.SignedBytes()))
		r.Signature = base64.StdEncoding.EncodeToString(sig)
		return r
	}
	withUseCase := good()
	withUseCase.Answers.UseCase = "crypto_mining"
	noBand := good()
	noBand.Answers.ARRBand = ""
	tests := []struct {
		name string
		in   any
		code string
		word string
	}{
		{"unknown use case", signed(withUseCase, c), "malformed", "use_case"},
		{"missing ARR band", signed(noBand, c), "malformed", "arr_band"},
		{"signed by another key", signed(good(), other), "bad_signature",
			"signature"},
		{"two use cases", map[string]any{"company": c.ID,
			"key": api.EncodeKey(raw), "signature": "AAAA",
			"answers": map[string]any{"use_case": []string{
				"customer_support", "coding_assistant"},
				"arr_band": "1-5M", "team_size": "11-50"}},
			"malformed_json", "use_case"},
		{"bad company id", signed(&api.EnrollmentRequest{Company: "Acme Inc",
			Key: api.EncodeKey(raw), Answers: servertest.DefaultAnswers}, c),
			"malformed", "company"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.admin[0].Do(ctx, http.MethodPost,
				"/v1/enrollments", tc.in, nil)
			wantCode(t, "enroll", err, 400, tc.code, tc.word)
		})
	}
	var all api.Enrollments
	if _, err := p.admin[0].Do(ctx, http.MethodGet, "/v1/admin/enrollments",
		nil, &all); err != nil {
		t.Fatal(err)
	}
	if len(all.Enrollments) != 0 {
		t.Errorf("after refused enrollments, %d recorded",
			len(all.Enrollments))
	}
}

// TestReassignment follows a reassignment from request to approval:
// without a rationale it is refused; pending, it changes nothing; an
// operator or the requester cannot approve it; a founder's approval
// makes new cohort versions, on each node, recorded in the audit
// table, which later batches use while the earlier batch keeps its
// members.
func TestReassignment(t *testing.T) {
	p := newPostgresPair(t)
	ctx := context.Background()
	cs := p.companies(t, 12, 3, false)
	old := p.cohort(t, "support", "customer_support")
	p.cohort(t, "coding", "coding_assistant")
	old.Period = "2026-10"
	p.open(t, old)
	mover := cs[0]

	var founders, requesters [2]*servertest.Admin
	for _, role := range []aggregation.Role{0, 1} {
		founders[role] = p.account(t, role, "ada", server.RoleFounder)
		requesters[role] = p.account(t, role, "grace", server.RoleOperator,
			server.RoleFounder)
	}
	req := api.ReassignmentRequest{Company: mover.ID,
		UseCase: "coding_assistant"}
	_, err := requesters[0].Do(ctx, http.MethodPost, "/v1/admin/reassignments",
		req, nil)
	wantCode(t, "request without rationale", err, 400,
		"rationale_required", "rationale")

	req.Rationale = "their product moved from support bots to code review"
	ids := [2]int64{}
	for role, a := range requesters {
		var r api.Reassignment
		if _, err := a.Do(ctx, http.MethodPost, "/v1/admin/reassignments",
			req, &r); err != nil {
			t.Fatalf("request: %v", err)
		}
		ids[role] = r.ID
		if r.State != "pending" || r.To.UseCase != "coding_assistant" ||
			r.To.ARRBand != servertest.DefaultAnswers.ARRBand {
			t.Errorf("request = %+v", r)
		}
	}
	p.wantLatest(t, "support", 1, 12)
	decide := func(a *servertest.Admin, role int, verb string) error {
		_, err := a.Do(ctx, http.MethodPost,
			fmt.Sprintf("/v1/admin/reassignments/%d/%s", ids[role], verb),
			api.Decision{Reason: "agreed"}, nil)
		return err
	}
	err = decide(p.admin[0], 0, "approve")
	wantCode(t, "approval by an operator", err, 403, "forbidden",
		"founder")
	err = decide(requesters[0], 0, "approve")
	wantCode(t, "approval by the requester", err, 403, "forbidden",
		"grace")
	p.wantLatest(t, "support", 1, 12)

	// Approved on the leader only: the helper holds no support@2, so a
	// batch of it does not open.
	if err := decide(founders[0], 0, "approve"); err != nil {
		t.Fatalf("approve on leader: %v", err)
	}
	next := batchOf("support@2")
	err = p.admin[0].Open(ctx, next)
	wantCode(t, "open before the helper approves", err, 404,
		"unknown_cohort")
	if err := decide(founders[1], 1, "approve"); err != nil {
		t.Fatalf("approve on helper: %v", err)
	}
	err = decide(founders[1], 1, "approve")
	wantCode(t, "approve twice", err, 409, "already_decided")
	p.wantLatest(t, "support", 2, 11)
	p.wantLatest(t, "coding", 2, 1)
	p.open(t, next)

	// The earlier batch keeps version 1, the mover with it; the later
	// one has version 2, without.
	if err := p.upload(t, mover, old); err != nil {
		t.Errorf("upload to %s (opened before): %v", old, err)
	}
	err = p.upload(t, mover, next)
	wantCode(t, "upload to "+next.Cohort, err, 403, "not_member")
	if err := p.upload(t, cs[1], next); err != nil {
		t.Errorf("upload by a member of %s: %v", next.Cohort, err)
	}
	target := fmt.Sprintf("%s#%d", mover.ID, ids[0])
	p.wantAudit(t, founders[0], []string{
		"reassignment.request " + target + " grace " + req.Rationale,
		"reassignment.approve " + target + " ada agreed",
		"batch.open " + api.Ref(next) + " admin "})
}

// wantLatest checks a cohort's latest version and member count on both
// nodes.
func (p *pair) wantLatest(t *testing.T, id string, version, members int) {
	t.Helper()
	for role, a := range p.admin {
		c, err := a.Cohort(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Version != version || len(c.Members) != members {
			t.Errorf("%s: cohort %s = version %d with %d members, want "+
				"%d with %d", aggregation.Role(role), id, c.Version,
				len(c.Members), version, members)
		}
	}
}

// wantAudit checks that the audit table holds entries, as "action
// target actor reason", in order among others.
func (p *pair) wantAudit(t *testing.T, a *servertest.Admin, want []string) {
	t.Helper()
	var audit api.Audit
	if _, err := a.Do(context.Background(), http.MethodGet,
		"/v1/admin/audit?limit=1000", nil, &audit); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range audit.Entries {
		got = append(got, strings.Join([]string{e.Action, e.Target,
			e.Actor, e.Reason}, " "))
		if e.At.IsZero() || e.Seq == 0 {
			t.Errorf("audit entry %+v lacks time or sequence", e)
		}
	}
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("audit table lacks %q in order; it holds:\n%s", want[i:],
			strings.Join(got, "\n"))
	}
}

// TestCohortSizes checks the three sizes that matter: 9 approved
// members cannot open a batch; 10 publish a private result its members
// alone can read; 30 publish for everyone.
func TestCohortSizes(t *testing.T) {
	p := newPostgresPair(t)
	ctx := context.Background()
	cs := p.newCompanies(t, 49, 4, false)
	for i, c := range cs {
		switch {
		case i < 9:
			c.Answers.UseCase = "data_extraction"
		case i < 19:
			c.Answers.UseCase = "search_and_rag"
		}
	}
	p.enroll(t, cs)
	nine := p.cohort(t, "extraction", "data_extraction")
	ten := p.cohort(t, "rag", "search_and_rag")
	thirty := p.cohort(t, "support", "customer_support")

	err := p.admin[0].Open(ctx, nine)
	wantCode(t, "open with 9 members", err, 409, "narrow_cohort",
		"9 approved members, fewer than 10")
	err = p.admin[0].Close(ctx, nine)
	if !errors.Is(err, aggregation.ErrUnknownBatch) {
		t.Errorf("close after refused open = %v, want unknown batch", err)
	}

	for _, g := range []struct {
		b  aggregation.BatchID
		cs []*servertest.Company
	}{{ten, cs[9:19]}, {thirty, cs[19:]}} {
		p.open(t, g.b)
		p.uploadAll(t, g.b, g.cs)
		p.close(t, g.b)
		if _, err := p.admin[0].Aggregate(ctx, g.b); err != nil {
			t.Fatal(err)
		}
		for _, tier := range []aggregation.Tier{aggregation.Public,
			aggregation.Private} {
			if _, err := p.admin[0].Publish(ctx, g.b, tier); err != nil {
				t.Fatalf("publish %s %s: %v", g.b, tier, err)
			}
		}
	}
	checkSuppressed(t, p, ten)
	if _, err := p.admin[0].Report(ctx, api.Ref(thirty)); err != nil {
		t.Errorf("public report of 30: %v", err)
	}

	id := api.PublicationID(ten, aggregation.Private)
	member, outsider := cs[9], cs[19]
	var got api.Report
	if status := p.private(t, member, "/v1/private/reports/"+id, &got); status != 200 {
		t.Fatalf("member read = %d", status)
	}
	want := servertest.WantAt(p.m, cs[9:19], p.m.Thresholds.Private)
	if diff := servertest.Diff(want, got.Metrics); diff != "" {
		t.Errorf("private report differs from plaintext (-want +got):\n%s",
			diff)
	}
	if got.Tier != "private" || got.Count != 10 {
		t.Errorf("private report: tier %s, count %d", got.Tier, got.Count)
	}
	if status := p.private(t, outsider, "/v1/private/reports/"+id, nil); status != 403 {
		t.Errorf("read by a company of another cohort = %d, want 403",
			status)
	}
	getJSON(t, p.srv[0].URL+"/v1/private/reports/"+id, 401, nil)
	getJSON(t, p.srv[0].URL+"/v1/reports/"+id, 404, nil)

	var list api.Reports
	p.private(t, member, "/v1/private/reports?period=2026-11", &list)
	if len(list.Reports) != 1 || list.Reports[0].ID != id {
		t.Errorf("member's private list = %+v, want only %s", list, id)
	}
	acc, err := p.nodes[0].Store.Accesses(ctx, member.ID)
	if err != nil || len(acc) != 1 || acc[0].Publication != id {
		t.Errorf("access log of %s = %v, %v; want one read of %s",
			member.ID, acc, err, id)
	}
	if acc, _ := p.nodes[0].Store.Accesses(ctx, outsider.ID); len(acc) != 0 {
		t.Errorf("refused read logged for %s: %v", outsider.ID, acc)
	}
}

// private sends a GET signed by company c to the leader, decodes a 200
// answer into out and returns the status.
func (p *pair) private(t *testing.T, c *servertest.Company, path string,
	out any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, p.srv[0].URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := api.SignRequest(req, c.ID, c.Signer, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 && out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// TestDifferencingGuardHTTP releases overlapping cohorts of one period
// through both nodes: a cohort 3 companies apart from a released one is
// published suppressed, with the reason; one 10 apart is published.
func TestDifferencingGuardHTTP(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	// Distinct buckets, none n/a, so no metric falls below 30 defined
	// values: only the guard suppresses.
	cs := p.newCompanies(t, 73, 5, true)
	support, coding := cs[:33], cs[33:]
	for i, c := range support {
		if i < 3 {
			c.Answers.ARRBand = "<1M"
		}
	}
	for i, c := range coding {
		c.Answers.UseCase = "coding_assistant"
		if i < 10 {
			c.Answers.ARRBand = "5-20M"
		}
	}
	p.enroll(t, cs)
	criteria := []struct {
		id string
		c  methodology.Criteria
	}{
		{"support", methodology.Criteria{UseCase: "customer_support"}},
		{"support-1-5m", methodology.Criteria{UseCase: "customer_support",
			ARRBand: "1-5M"}},
		{"coding", methodology.Criteria{UseCase: "coding_assistant"}},
		{"coding-1-5m", methodology.Criteria{UseCase: "coding_assistant",
			ARRBand: "1-5M"}},
	}
	var reports []*api.Report
	for _, cr := range criteria {
		ref, err := servertest.DefineAll(ctx, cr.id, cr.c, p.admin[0],
			p.admin[1])
		if err != nil {
			t.Fatal(err)
		}
		b := batchOf(ref)
		p.open(t, b)
		for _, c := range cs {
			if cr.c.Matches(c.Answers) {
				if err := p.upload(t, c, b); err != nil {
					t.Fatal(err)
				}
			}
		}
		p.close(t, b)
		if _, err := p.admin[0].Aggregate(ctx, b); err != nil {
			t.Fatal(err)
		}
		r, err := p.admin[0].Publish(ctx, b, aggregation.Public)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, r)
	}
	blocked := map[string]bool{"support@1": false, "support-1-5m@1": true,
		"coding@1": false, "coding-1-5m@1": false}
	for _, r := range reports {
		s := r.Summary()
		if s.Suppressed != blocked[r.Cohort] {
			t.Errorf("%s: suppressed %v (%s), want %v", r.Cohort,
				s.Suppressed, s.Reason, blocked[r.Cohort])
		}
		if s.Suppressed && (!strings.Contains(s.Reason, "differencing") ||
			!strings.Contains(s.Reason, "by 3")) {
			t.Errorf("%s: reason %q does not explain the block", r.Cohort,
				s.Reason)
		}
	}
}

// TestCohortMismatch has the helper's operator reject a company the
// leader's approved: both nodes then hold a support@1 with other
// members, and the batch opens on neither.
func TestCohortMismatch(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	cs := p.newCompanies(t, 11, 6, false)
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
		for _, a := range p.admin {
			if err := a.Enroll(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := p.admin[0].Approve(ctx, "ok", ids...); err != nil {
		t.Fatal(err)
	}
	if _, err := p.admin[1].Approve(ctx, "ok", ids[1:]...); err != nil {
		t.Fatal(err)
	}
	if _, err := p.admin[1].Do(ctx, http.MethodPost,
		"/v1/admin/enrollments/reject", api.Decision{
			Companies: ids[:1], Reason: "unverified"}, nil); err != nil {
		t.Fatal(err)
	}
	var refs [2]string
	for role, a := range p.admin {
		co, err := a.DefineCohort(ctx, "support",
			methodology.Criteria{UseCase: "customer_support"})
		if err != nil {
			t.Fatal(err)
		}
		refs[role] = co.Ref
	}
	if refs != [2]string{"support@1", "support@1"} {
		t.Fatalf("cohort versions = %v, want support@1 on both", refs)
	}
	b := batchOf("support@1")
	err := p.admin[0].Open(ctx, b)
	wantCode(t, "open with different members", err, 409,
		"cohort_mismatch", "other members")
	for role, a := range p.admin {
		err := a.Close(ctx, b)
		if !errors.Is(err, aggregation.ErrUnknownBatch) {
			t.Errorf("%s: close after refused open = %v, want unknown "+
				"batch", aggregation.Role(role), err)
		}
	}
}

// TestDisableAccount checks that a disabled account's token is refused
// with words, that only a founder disables a founder, that an account
// may disable itself, and that the bootstrap account is left to the
// configuration.
func TestDisableAccount(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	leader := aggregation.Leader
	admin := p.admin[leader]
	bob := p.account(t, leader, "bob", server.RoleOperator)
	eve := p.account(t, leader, "eve", server.RoleAuditor)
	ada := p.account(t, leader, "ada", server.RoleFounder)
	p.account(t, leader, "carol", server.RoleOperator, server.RoleFounder)
	disable := func(a *servertest.Admin, name, reason string) (
		api.Account, error) {
		var out api.Account
		_, err := a.Do(ctx, http.MethodPost,
			"/v1/admin/accounts/"+name+"/disable",
			api.Decision{Reason: reason}, &out)
		return out, err
	}
	list := func(a *servertest.Admin) error {
		_, err := a.Do(ctx, http.MethodGet, "/v1/admin/accounts", nil, nil)
		return err
	}
	if err := list(bob); err != nil {
		t.Fatalf("bob lists accounts: %v", err)
	}

	refusals := []struct {
		what   string
		by     *servertest.Admin
		name   string
		reason string
		status int
		code   string
		words  []string
	}{
		{"without a reason", admin, "bob", " ", 400, "reason_required",
			[]string{"reason"}},
		{"a bad name", admin, "Bob", "leak", 400, "malformed",
			[]string{"Bob"}},
		{"the bootstrap account", admin, "admin", "leak", 409,
			"bootstrap_account", []string{"admin_token_sha256"}},
		{"an unknown account", admin, "nobody", "leak", 404,
			"unknown_account", nil},
		{"another's by an auditor", eve, "bob", "leak", 403, "forbidden",
			[]string{"eve", "only itself"}},
		{"a founder by an operator", bob, "carol", "leak", 403,
			"forbidden", []string{"carol", "only a founder"}},
	}
	for _, r := range refusals {
		_, err := disable(r.by, r.name, r.reason)
		wantCode(t, "disable "+r.what, err, r.status, r.code, r.words...)
	}

	got, err := disable(admin, "bob", "token pasted in a chat")
	if err != nil || got.Name != "bob" || got.DisabledAt == nil {
		t.Fatalf("disable bob = %+v, %v; want bob with disabled_at", got,
			err)
	}
	wantCode(t, "bob lists accounts once disabled", list(bob), 401,
		"unauthorized", "disabled")
	_, err = disable(admin, "bob", "again")
	wantCode(t, "disable bob twice", err, 409, "account_disabled")

	if _, err := disable(ada, "carol", "left the company"); err != nil {
		t.Errorf("founder disables a founder: %v", err)
	}
	if _, err := disable(ada, "ada", "my laptop was stolen"); err != nil {
		t.Errorf("founder disables herself: %v", err)
	}
	wantCode(t, "ada lists accounts once disabled", list(ada), 401,
		"unauthorized", "disabled")

	var as api.Accounts
	if _, err := admin.Do(ctx, http.MethodGet, "/v1/admin/accounts", nil,
		&as); err != nil {
		t.Fatal(err)
	}
	disabled := map[string]bool{}
	for _, a := range as.Accounts {
		disabled[a.Name] = a.DisabledAt != nil
	}
	want := map[string]bool{"ada": true, "bob": true, "carol": true,
		"eve": false}
	if !maps.Equal(disabled, want) {
		t.Errorf("accounts disabled = %v, want %v", disabled, want)
	}
	p.wantAudit(t, eve, []string{
		"account.disable bob admin token pasted in a chat",
		"account.disable carol ada left the company",
		"account.disable ada ada my laptop was stolen"})

	// An auditor, who may disable no one else, may revoke itself.
	if _, err := disable(eve, "eve", "token in a screenshot"); err != nil {
		t.Errorf("auditor disables itself: %v", err)
	}
	wantCode(t, "eve lists accounts once disabled", list(eve), 401,
		"unauthorized", "disabled")
}
