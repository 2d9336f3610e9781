package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/store"
)

// Enroll makes company an approved company of s, with key and answers
// a, through SubmitEnrollment and DecideEnrollments as a node's
// operator would, and returns the cohort versions the approval made.
// It is how tests of code on top of a store.Store enroll companies.
func Enroll(t *testing.T, s store.Store, company string, key []byte,
	a methodology.Answers) []*aggregation.CohortVersion {
	t.Helper()
	now := time.Now().UTC()
	e := &store.Enrollment{Company: company, Key: key, Answers: a,
		SubmittedAt: now}
	err := s.SubmitEnrollment(ctx(t), e)
	checkErr(t, fmt.Sprintf("SubmitEnrollment(%s)", company), err, nil)
	return decide(t, s, true, now, company)
}

// Answers the suite enrolls companies with. support and supportMid
// share a use case and differ in ARR band, so a cohort on the use case
// alone and one on the use case and a band overlap.
var (
	support = methodology.Answers{UseCase: "customer_support",
		ARRBand: "<1M", TeamSize: "1-10"}
	supportMid = methodology.Answers{UseCase: "customer_support",
		ARRBand: "1-5M", TeamSize: "11-50"}
	coding = methodology.Answers{UseCase: "coding_assistant",
		ARRBand: "<1M", TeamSize: "1-10"}
	other = methodology.Answers{UseCase: "other", ARRBand: ">100M",
		TeamSize: ">1000"}
)

// Cohort criteria the suite defines.
var (
	bySupport      = methodology.Criteria{UseCase: "customer_support"}
	bySupportSmall = methodology.Criteria{UseCase: "customer_support",
		ARRBand: "<1M"}
	byCoding = methodology.Criteria{UseCase: "coding_assistant"}
)

// The accounts that act in the suite's audit entries.
const (
	operatorName = "ann"
	founderName  = "fay"
)

// entry is the audit entry of an action by an account at a time.
func entry(actor, action string, at time.Time) *store.AuditEntry {
	return &store.AuditEntry{At: at, Actor: actor, Action: action,
		Reason: "because " + action}
}

// logged is the entry the audit table holds for e done to target.
func logged(e *store.AuditEntry, target string) store.AuditEntry {
	l := *e
	l.Target = target
	return l
}

// submit records a pending enrollment of company with a fresh key.
func submit(t *testing.T, s nodeStore, company string,
	a methodology.Answers, at time.Time) *store.Enrollment {
	t.Helper()
	e := &store.Enrollment{Company: company, Key: randBytes(t, 32),
		Answers: a, SubmittedAt: at}
	err := s.SubmitEnrollment(ctx(t), e)
	checkErr(t, fmt.Sprintf("SubmitEnrollment(%s)", company), err, nil)
	return e
}

// decide approves or rejects companies as the operator, at a time, and
// returns the cohort versions it made.
func decide(t *testing.T, s nodeStore, approve bool, at time.Time,
	companies ...string) []*aggregation.CohortVersion {
	t.Helper()
	cs, err := s.DecideEnrollments(ctx(t), companies, approve,
		decisionEntry(approve, at))
	checkErr(t, fmt.Sprintf("DecideEnrollments(%q, %t)", companies,
		approve), err, nil)
	return cs
}

func decisionEntry(approve bool, at time.Time) *store.AuditEntry {
	if approve {
		return entry(operatorName, "enrollment.approve", at)
	}
	return entry(operatorName, "enrollment.reject", at)
}

// decided is e as it stands once decided by decisionEntry.
func decided(e *store.Enrollment, approve bool,
	at time.Time) *store.Enrollment {
	d := *e
	a := decisionEntry(approve, at)
	d.State, d.DecidedAt, d.DecidedBy, d.Reason = store.Rejected, at,
		a.Actor, a.Reason
	if approve {
		d.State = store.Approved
	}
	return &d
}

// pending is e as it stands once submitted.
func pending(e *store.Enrollment) *store.Enrollment {
	p := *e
	p.State = store.Pending
	return &p
}

func define(t *testing.T, s nodeStore, id string, c methodology.Criteria,
	at time.Time) *aggregation.CohortVersion {
	t.Helper()
	co, err := s.DefineCohort(ctx(t), id, c,
		entry(operatorName, "cohort.define", at))
	checkErr(t, fmt.Sprintf("DefineCohort(%s)", id), err, nil)
	return co
}

// cohort is a cohort version with its members in the order given.
func cohort(id string, version int, c methodology.Criteria,
	members ...string) *aggregation.CohortVersion {
	return &aggregation.CohortVersion{ID: id, Version: version, Criteria: c,
		Members: members}
}

func wantCohort(t *testing.T, s nodeStore, version int,
	want *aggregation.CohortVersion) {
	t.Helper()
	got, err := s.Cohort(ctx(t), want.ID, version)
	wantValue(t, fmt.Sprintf("Cohort(%s, %d)", want.ID, version), got, err,
		want)
}

func wantCohorts(t *testing.T, s nodeStore,
	want ...*aggregation.CohortVersion) {
	t.Helper()
	got, err := s.Cohorts(ctx(t))
	wantList(t, "Cohorts()", got, err, want, cohortRef)
}

// wantMade checks the cohort versions a change made.
func wantMade(t *testing.T, call string, got []*aggregation.CohortVersion,
	want ...*aggregation.CohortVersion) {
	t.Helper()
	wantList(t, call, got, nil, want, cohortRef)
}

func cohortRef(c *aggregation.CohortVersion) string { return c.Ref() }

func wantEnrollment(t *testing.T, s nodeStore, want *store.Enrollment) {
	t.Helper()
	got, err := s.Enrollment(ctx(t), want.Company)
	wantValue(t, fmt.Sprintf("Enrollment(%s)", want.Company), got, err, want)
}

func wantEnrollments(t *testing.T, s nodeStore, st store.State,
	want ...*store.Enrollment) {
	t.Helper()
	got, err := s.Enrollments(ctx(t), st)
	wantList(t, fmt.Sprintf("Enrollments(%q)", st), got, err, want,
		func(e *store.Enrollment) string { return e.Company })
}

func wantAssignment(t *testing.T, s nodeStore, want *store.Assignment) {
	t.Helper()
	got, err := s.Assignment(ctx(t), want.Company)
	wantValue(t, fmt.Sprintf("Assignment(%s)", want.Company), got, err,
		want)
}

// wantAudit checks the whole audit table: want in order, numbered
// increasingly.
func wantAudit(t *testing.T, s nodeStore, want ...store.AuditEntry) {
	t.Helper()
	got, err := s.Audit(ctx(t), 0, 1000)
	checkErr(t, "Audit(0, 1000)", err, nil)
	gotv := make([]store.AuditEntry, len(got))
	for i, e := range got {
		gotv[i] = *e
		if i > 0 && e.Seq <= got[i-1].Seq {
			t.Errorf("Audit(0, 1000): seq %d after %d, want increasing",
				e.Seq, got[i-1].Seq)
		}
	}
	ignoreSeq := cmpopts.IgnoreFields(store.AuditEntry{}, "Seq")
	if d := cmp.Diff(gotv, want, opts, ignoreSeq); d != "" {
		t.Errorf("Audit(0, 1000) = %v, want %v (-got +want):\n%s",
			keys(gotv, auditKey), keys(want, auditKey), d)
	}
}

func auditKey(e store.AuditEntry) string { return e.Action + " " + e.Target }
