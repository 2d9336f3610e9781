package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/store"
)

var enrollmentTests = []test[nodeStore]{
	{"SubmitThenGet", func(t *testing.T, s nodeStore) {
		acme := submit(t, s, "acme", support, t0)
		globex := submit(t, s, "globex", coding, t1)
		wantEnrollment(t, s, pending(acme))
		wantEnrollment(t, s, pending(globex))
		wantNoCompany(t, s, "acme")
		wantAudit(t, s)
	}},
	{"SubmitSameAgain", func(t *testing.T, s nodeStore) {
		e := submit(t, s, "acme", support, t0)
		again := *e
		again.SubmittedAt = t1
		err := s.SubmitEnrollment(ctx(t), &again)
		checkErr(t, "SubmitEnrollment(same)", err, nil)
		wantEnrollment(t, s, pending(e))
	}},
	{"Unknown", func(t *testing.T, s nodeStore) {
		submit(t, s, "acme", support, t0)
		_, err := s.Enrollment(ctx(t), "globex")
		checkErr(t, "Enrollment(globex)", err, store.ErrUnknownEnrollment)
	}},
	{"ListByState", func(t *testing.T, s nodeStore) {
		wantEnrollments(t, s, "")
		// Submitted out of name order: the list follows the time.
		c := submit(t, s, "c-co", support, t0)
		a := submit(t, s, "a-co", coding, t0.Add(time.Second))
		b := submit(t, s, "b-co", other, t0.Add(2*time.Second))
		decide(t, s, true, t1, "a-co")
		decide(t, s, false, t1, "b-co")
		wantEnrollments(t, s, "", pending(c), decided(a, true, t1),
			decided(b, false, t1))
		wantEnrollments(t, s, store.Pending, pending(c))
		wantEnrollments(t, s, store.Approved, decided(a, true, t1))
		wantEnrollments(t, s, store.Rejected, decided(b, false, t1))
	}},
	{"Approve", func(t *testing.T, s nodeStore) {
		e := submit(t, s, "acme", support, t0)
		made := decide(t, s, true, t1, "acme")
		wantMade(t, "DecideEnrollments(acme)", made)
		wantEnrollment(t, s, decided(e, true, t1))
		wantCompany(t, s, &store.Company{ID: "acme", Key: e.Key,
			EnrolledAt: t1})
		wantAssignment(t, s, &store.Assignment{Company: "acme", Version: 1,
			Answers: support, At: t1})
		wantAudit(t, s, logged(decisionEntry(true, t1), "acme"))
	}},
	{"Reject", func(t *testing.T, s nodeStore) {
		e := submit(t, s, "acme", support, t0)
		define(t, s, "support", bySupport, t0)
		made := decide(t, s, false, t1, "acme")
		wantMade(t, "DecideEnrollments(acme, reject)", made)
		wantEnrollment(t, s, decided(e, false, t1))
		wantNoCompany(t, s, "acme")
		_, err := s.Assignment(ctx(t), "acme")
		checkErr(t, "Assignment(acme)", err, store.ErrNotApproved)
		wantCohorts(t, s, cohort("support", 1, bySupport))
	}},
	{"AuditPerCompany", func(t *testing.T, s nodeStore) {
		for _, c := range []string{"acme", "globex", "initech"} {
			submit(t, s, c, support, t0)
		}
		decide(t, s, true, t1, "globex", "acme", "globex")
		decide(t, s, false, t1, "initech")
		approve, reject := decisionEntry(true, t1), decisionEntry(false, t1)
		wantAudit(t, s, logged(approve, "globex"), logged(approve, "acme"),
			logged(reject, "initech"))
	}},
	{"DecideTwice", func(t *testing.T, s nodeStore) {
		e := submit(t, s, "acme", support, t0)
		decide(t, s, true, t1, "acme")
		for _, approve := range []bool{true, false} {
			_, err := s.DecideEnrollments(ctx(t), []string{"acme"}, approve,
				decisionEntry(approve, t1.Add(time.Hour)))
			checkErr(t, fmt.Sprintf("second DecideEnrollments(acme, %t)",
				approve), err, store.ErrNotPending)
		}
		wantEnrollment(t, s, decided(e, true, t1))
		wantAudit(t, s, logged(decisionEntry(true, t1), "acme"))
	}},
	{"SubmitAfterDecision", func(t *testing.T, s nodeStore) {
		e := submit(t, s, "acme", support, t0)
		decide(t, s, true, t1, "acme")
		again := *e
		err := s.SubmitEnrollment(ctx(t), &again)
		checkErr(t, "SubmitEnrollment(same, approved)", err, nil)
		again.Answers = coding
		err = s.SubmitEnrollment(ctx(t), &again)
		checkErr(t, "SubmitEnrollment(other answers, approved)", err,
			store.ErrEnrollmentExists)
		wantEnrollment(t, s, decided(e, true, t1))
	}},
	{"ApprovalMakesVersions", func(t *testing.T, s nodeStore) {
		define(t, s, "support", bySupport, t0)
		define(t, s, "coding", byCoding, t0)
		define(t, s, "nobody", methodology.Criteria{UseCase: "other",
			ARRBand: "<1M"}, t0)
		submit(t, s, "b-co", support, t0)
		submit(t, s, "a-co", supportMid, t0)
		submit(t, s, "c-co", coding, t0)
		made := decide(t, s, true, t1, "b-co", "c-co", "a-co")
		support2 := cohort("support", 2, bySupport, "a-co", "b-co")
		coding2 := cohort("coding", 2, byCoding, "c-co")
		wantMade(t, "DecideEnrollments(a, b, c)", made, coding2, support2)
		wantCohorts(t, s, coding2, cohort("nobody", 1,
			methodology.Criteria{UseCase: "other", ARRBand: "<1M"}),
			support2)
	}},
}

// allOrNoneCases are lists DecideEnrollments must refuse whole: each
// names pending "acme" and "globex" and one company it cannot decide.
var allOrNoneCases = []struct {
	name  string
	list  []string
	setup func(t *testing.T, s nodeStore)
	want  error
}{
	{"Unknown", []string{"acme", "nobody", "globex"},
		func(*testing.T, nodeStore) {}, store.ErrUnknownEnrollment},
	{"Approved", []string{"acme", "globex", "initech"},
		func(t *testing.T, s nodeStore) {
			submit(t, s, "initech", support, t0)
			decide(t, s, true, t0, "initech")
		}, store.ErrNotPending},
	{"Rejected", []string{"initech", "acme", "globex"},
		func(t *testing.T, s nodeStore) {
			submit(t, s, "initech", support, t0)
			decide(t, s, false, t0, "initech")
		}, store.ErrNotPending},
}

func init() {
	for _, tc := range allOrNoneCases {
		for _, approve := range []bool{true, false} {
			name := fmt.Sprintf("AllOrNone/%s/approve=%t", tc.name, approve)
			enrollmentTests = append(enrollmentTests, test[nodeStore]{name,
				func(t *testing.T, s nodeStore) {
					define(t, s, "support", bySupport, t0)
					tc.setup(t, s)
					acme := submit(t, s, "acme", support, t0)
					globex := submit(t, s, "globex", support, t0)
					before := cohortsOf(t, s)
					auditBefore := auditOf(t, s)

					_, err := s.DecideEnrollments(ctx(t), tc.list, approve,
						decisionEntry(approve, t1))
					checkErr(t, fmt.Sprintf("DecideEnrollments(%q)",
						tc.list), err, tc.want)
					wantEnrollment(t, s, pending(acme))
					wantEnrollment(t, s, pending(globex))
					wantNoCompany(t, s, "acme")
					wantCohorts(t, s, before...)
					wantAudit(t, s, auditBefore...)
				}})
		}
	}
}

// submitConflicts edit an enrollment into one SubmitEnrollment refuses.
var submitConflicts = []struct {
	name string
	edit func(t *testing.T, e *store.Enrollment)
}{
	{"OtherKey", func(t *testing.T, e *store.Enrollment) {
		e.Key = randBytes(t, 32)
	}},
	{"OtherUseCase", func(_ *testing.T, e *store.Enrollment) {
		e.Answers.UseCase = coding.UseCase
	}},
	{"OtherARRBand", func(_ *testing.T, e *store.Enrollment) {
		e.Answers.ARRBand = supportMid.ARRBand
	}},
	{"OtherTeamSize", func(_ *testing.T, e *store.Enrollment) {
		e.Answers.TeamSize = supportMid.TeamSize
	}},
}

func init() {
	for _, tc := range submitConflicts {
		enrollmentTests = append(enrollmentTests, test[nodeStore]{
			"SubmitConflict/" + tc.name, func(t *testing.T, s nodeStore) {
				e := submit(t, s, "acme", support, t0)
				other := *e
				tc.edit(t, &other)
				err := s.SubmitEnrollment(ctx(t), &other)
				checkErr(t, "SubmitEnrollment(conflict)", err,
					store.ErrEnrollmentExists)
				wantEnrollment(t, s, pending(e))
			}})
	}
}

// cohortsOf returns the latest version of every cohort of s.
func cohortsOf(t *testing.T, s nodeStore) []*aggregation.CohortVersion {
	t.Helper()
	cs, err := s.Cohorts(ctx(t))
	checkErr(t, "Cohorts()", err, nil)
	return cs
}

// auditOf returns the audit table of s.
func auditOf(t *testing.T, s nodeStore) []store.AuditEntry {
	t.Helper()
	es, err := s.Audit(ctx(t), 0, 1000)
	checkErr(t, "Audit(0, 1000)", err, nil)
	out := make([]store.AuditEntry, len(es))
	for i, e := range es {
		out[i] = *e
	}
	return out
}
