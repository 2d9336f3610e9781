package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/store"
)

var reassignTests = []test[nodeStore]{
	{"RequestThenGet", func(t *testing.T, s nodeStore) {
		Enroll(t, s, "acme", randBytes(t, 32), support)
		before := auditOf(t, s)
		r, e := request(t, s, "acme", coding)
		got, err := s.Reassignment(ctx(t), r.ID)
		wantValue(t, fmt.Sprintf("Reassignment(%d)", r.ID), got, err, r)
		wantAudit(t, s, append(before, logged(e, target(r)))...)
		wantAssignment(t, s, &store.Assignment{Company: "acme", Version: 1,
			Answers: support, At: assignedAt(t, s, "acme")})
	}},
	{"NotApproved", func(t *testing.T, s nodeStore) {
		submit(t, s, "acme", support, t0)
		submit(t, s, "globex", support, t0)
		decide(t, s, false, t1, "globex")
		before := auditOf(t, s)
		for _, c := range []string{"acme", "globex", "initech"} {
			r := &store.Reassignment{Company: c, To: coding,
				Rationale: "moved", RequestedBy: operatorName, RequestedAt: t1}
			_, err := s.RequestReassignment(ctx(t), r,
				entry(operatorName, "reassignment.request", t1))
			checkErr(t, fmt.Sprintf("RequestReassignment(%s)", c), err,
				store.ErrNotApproved)
		}
		wantReassignments(t, s, "")
		wantAudit(t, s, before...)
	}},
	{"NoChange", func(t *testing.T, s nodeStore) {
		Enroll(t, s, "acme", randBytes(t, 32), support)
		before := auditOf(t, s)
		r := &store.Reassignment{Company: "acme", To: support,
			Rationale: "same", RequestedBy: operatorName, RequestedAt: t1}
		_, err := s.RequestReassignment(ctx(t), r,
			entry(operatorName, "reassignment.request", t1))
		checkErr(t, "RequestReassignment(same answers)", err,
			store.ErrNoChange)
		wantReassignments(t, s, "")
		wantAudit(t, s, before...)
	}},
	{"Approve", func(t *testing.T, s nodeStore) {
		define(t, s, "support", bySupport, t0)
		define(t, s, "coding", byCoding, t0)
		Enroll(t, s, "acme", randBytes(t, 32), support)
		Enroll(t, s, "globex", randBytes(t, 32), support)
		r, _ := request(t, s, "acme", coding)
		wantCohorts(t, s, cohort("coding", 1, byCoding),
			cohort("support", 3, bySupport, "acme", "globex"))
		before := auditOf(t, s)

		e := entry(founderName, "reassignment.approve", t1)
		made, err := s.DecideReassignment(ctx(t), r.ID, true, e)
		checkErr(t, "DecideReassignment(approve)", err, nil)
		coding2 := cohort("coding", 2, byCoding, "acme")
		support4 := cohort("support", 4, bySupport, "globex")
		wantMade(t, "DecideReassignment(approve)", made, coding2, support4)
		wantCohorts(t, s, coding2, support4)
		wantAssignment(t, s, &store.Assignment{Company: "acme", Version: 2,
			Answers: coding, At: t1, Reassignment: r.ID})
		wantReassignment(t, s, decidedRequest(r, true, t1))
		wantAudit(t, s, append(before, logged(e, target(r)))...)
	}},
	{"ChangeBandOnly", func(t *testing.T, s nodeStore) {
		define(t, s, "support", bySupport, t0)
		define(t, s, "support-small", bySupportSmall, t0)
		Enroll(t, s, "acme", randBytes(t, 32), support)
		r, _ := request(t, s, "acme", supportMid)
		made := decideRequest(t, s, r.ID, true)
		small3 := cohort("support-small", 3, bySupportSmall)
		wantMade(t, "DecideReassignment(approve)", made, small3)
		wantCohorts(t, s, cohort("support", 2, bySupport, "acme"), small3)
	}},
	{"Reject", func(t *testing.T, s nodeStore) {
		define(t, s, "support", bySupport, t0)
		Enroll(t, s, "acme", randBytes(t, 32), support)
		at := assignedAt(t, s, "acme")
		r, _ := request(t, s, "acme", coding)
		before := cohortsOf(t, s)
		made := decideRequest(t, s, r.ID, false)
		wantMade(t, "DecideReassignment(reject)", made)
		wantCohorts(t, s, before...)
		wantAssignment(t, s, &store.Assignment{Company: "acme", Version: 1,
			Answers: support, At: at})
		wantReassignment(t, s, decidedRequest(r, false, t1))
	}},
	{"NotPending", func(t *testing.T, s nodeStore) {
		Enroll(t, s, "acme", randBytes(t, 32), support)
		r, _ := request(t, s, "acme", coding)
		decideRequest(t, s, r.ID, true)
		before := auditOf(t, s)
		for _, approve := range []bool{true, false} {
			_, err := s.DecideReassignment(ctx(t), r.ID, approve,
				entry(founderName, "reassignment.decide", t1))
			checkErr(t, fmt.Sprintf("second DecideReassignment(%t)",
				approve), err, store.ErrNotPending)
		}
		_, err := s.DecideReassignment(ctx(t), r.ID+1, true,
			entry(founderName, "reassignment.approve", t1))
		checkErr(t, "DecideReassignment(unknown)", err,
			store.ErrUnknownReassign)
		_, err = s.Reassignment(ctx(t), r.ID+1)
		checkErr(t, "Reassignment(unknown)", err, store.ErrUnknownReassign)
		wantReassignment(t, s, decidedRequest(r, true, t1))
		wantAssignment(t, s, &store.Assignment{Company: "acme", Version: 2,
			Answers: coding, At: t1, Reassignment: r.ID})
		wantAudit(t, s, before...)
	}},
	{"ListByState", func(t *testing.T, s nodeStore) {
		Enroll(t, s, "acme", randBytes(t, 32), support)
		Enroll(t, s, "globex", randBytes(t, 32), support)
		Enroll(t, s, "initech", randBytes(t, 32), support)
		r1, _ := request(t, s, "globex", coding)
		r2, _ := request(t, s, "acme", coding)
		r3, _ := request(t, s, "initech", other)
		decideRequest(t, s, r1.ID, true)
		decideRequest(t, s, r3.ID, false)
		d1, d3 := decidedRequest(r1, true, t1), decidedRequest(r3, false, t1)
		wantReassignments(t, s, "", d1, r2, d3)
		wantReassignments(t, s, store.Pending, r2)
		wantReassignments(t, s, store.Approved, d1)
		wantReassignments(t, s, store.Rejected, d3)
	}},
}

// request asks, as the operator, to reassign company to answers to,
// and returns the request as stored and its audit entry.
func request(t *testing.T, s nodeStore, company string,
	to methodology.Answers) (*store.Reassignment, *store.AuditEntry) {
	t.Helper()
	r := &store.Reassignment{Company: company, To: to,
		Rationale: company + " changed product", RequestedBy: operatorName,
		RequestedAt: t0.Add(time.Second), State: store.Pending}
	e := entry(operatorName, "reassignment.request", r.RequestedAt)
	id, err := s.RequestReassignment(ctx(t), r, e)
	checkErr(t, fmt.Sprintf("RequestReassignment(%s)", company), err, nil)
	if id <= 0 {
		t.Fatalf("RequestReassignment(%s) = id %d, want one above 0",
			company, id)
	}
	r.ID = id
	return r, e
}

// decideRequest decides request id as the founder, at t1.
func decideRequest(t *testing.T, s nodeStore, id int64,
	approve bool) []*aggregation.CohortVersion {
	t.Helper()
	made, err := s.DecideReassignment(ctx(t), id, approve,
		entry(founderName, "reassignment.decide", t1))
	checkErr(t, fmt.Sprintf("DecideReassignment(%d, %t)", id, approve),
		err, nil)
	return made
}

// decidedRequest is r as it stands once decided by decideRequest.
func decidedRequest(r *store.Reassignment, approve bool,
	at time.Time) *store.Reassignment {
	d := *r
	d.State, d.DecidedBy, d.DecidedAt = store.Rejected, founderName, at
	if approve {
		d.State = store.Approved
	}
	return &d
}

// target is the audit target of request r.
func target(r *store.Reassignment) string {
	return fmt.Sprintf("%s#%d", r.Company, r.ID)
}

// assignedAt returns when company's current assignment was made.
func assignedAt(t *testing.T, s nodeStore, company string) time.Time {
	t.Helper()
	a, err := s.Assignment(ctx(t), company)
	checkErr(t, fmt.Sprintf("Assignment(%s)", company), err, nil)
	return a.At
}

func wantReassignment(t *testing.T, s nodeStore, want *store.Reassignment) {
	t.Helper()
	got, err := s.Reassignment(ctx(t), want.ID)
	wantValue(t, fmt.Sprintf("Reassignment(%d)", want.ID), got, err, want)
}

func wantReassignments(t *testing.T, s nodeStore, st store.State,
	want ...*store.Reassignment) {
	t.Helper()
	got, err := s.Reassignments(ctx(t), st)
	wantList(t, fmt.Sprintf("Reassignments(%q)", st), got, err, want,
		target)
}
