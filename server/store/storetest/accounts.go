package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/store"
)

var accountTests = []test[nodeStore]{
	{"PutThenGet", func(t *testing.T, s nodeStore) {
		// Bytewise, "ann_b" sorts after "ann-c" and before "anna".
		anna := putAccount(t, s, "anna", "auditor")
		annB := putAccount(t, s, "ann_b", "founder", "operator")
		annC := putAccount(t, s, "ann-c")
		for _, a := range []*store.Account{anna, annB, annC} {
			got, err := s.AccountByToken(ctx(t), a.TokenHash)
			wantValue(t, fmt.Sprintf("AccountByToken(%s)", a.Name), got,
				err, a)
		}
		got, err := s.Accounts(ctx(t))
		wantList(t, "Accounts()", got, err,
			[]*store.Account{annC, annB, anna}, accountName)
	}},
	{"Exists", func(t *testing.T, s nodeStore) {
		a := putAccount(t, s, "anna", "operator")
		before := auditOf(t, s)
		for _, other := range []*store.Account{
			{Name: "anna", TokenHash: sha256.Sum256(randBytes(t, 16)),
				Roles: []string{"founder"}, CreatedAt: t1},
			{Name: "bob", TokenHash: a.TokenHash,
				Roles: []string{"founder"}, CreatedAt: t1},
		} {
			err := s.PutAccount(ctx(t), other,
				entry(founderName, "account.create", t1))
			checkErr(t, fmt.Sprintf("PutAccount(%s)", other.Name), err,
				store.ErrAccountExists)
		}
		got, err := s.Accounts(ctx(t))
		wantList(t, "Accounts()", got, err, []*store.Account{a},
			accountName)
		wantAudit(t, s, before...)
	}},
	{"UnknownToken", func(t *testing.T, s nodeStore) {
		putAccount(t, s, "anna", "operator")
		_, err := s.AccountByToken(ctx(t), sha256.Sum256([]byte("guess")))
		checkErr(t, "AccountByToken(unknown)", err, store.ErrUnknownAccount)
	}},
	{"AuditNamesNotHash", func(t *testing.T, s nodeStore) {
		a := putAccount(t, s, "anna", "operator")
		e := entry(founderName, "account.create", t0)
		wantAudit(t, s, logged(e, "anna"))
		h := hex.EncodeToString(a.TokenHash[:])
		for _, l := range auditOf(t, s) {
			line := fmt.Sprint(l)
			if strings.Contains(line, h) ||
				strings.Contains(line, string(a.TokenHash[:])) {
				t.Errorf("audit entry %q holds the token hash", line)
			}
		}
	}},
	{"Disable", func(t *testing.T, s nodeStore) {
		anna := putAccount(t, s, "anna", "operator")
		bob := putAccount(t, s, "bob", "founder")
		e := entry(founderName, "account.disable", t1)
		err := s.DisableAccount(ctx(t), "anna", e)
		checkErr(t, "DisableAccount(anna)", err, nil)

		_, err = s.AccountByToken(ctx(t), anna.TokenHash)
		checkErr(t, "AccountByToken(anna)", err, store.ErrAccountDisabled)
		got, err := s.AccountByToken(ctx(t), bob.TokenHash)
		wantValue(t, "AccountByToken(bob)", got, err, bob)
		off := *anna
		off.DisabledAt = t1
		all, err := s.Accounts(ctx(t))
		wantList(t, "Accounts()", all, err, []*store.Account{&off, bob},
			accountName)
		create := entry(founderName, "account.create", t0)
		wantAudit(t, s, logged(create, "anna"), logged(create, "bob"),
			logged(e, "anna"))
	}},
	{"DisableTwice", func(t *testing.T, s nodeStore) {
		anna := putAccount(t, s, "anna", "operator")
		err := s.DisableAccount(ctx(t), "anna",
			entry(founderName, "account.disable", t1))
		checkErr(t, "DisableAccount(anna)", err, nil)
		before := auditOf(t, s)

		err = s.DisableAccount(ctx(t), "anna",
			entry(operatorName, "account.disable", t1.Add(time.Minute)))
		checkErr(t, "DisableAccount(anna) again", err,
			store.ErrAccountDisabled)
		off := *anna
		off.DisabledAt = t1
		got, err := s.Accounts(ctx(t))
		wantList(t, "Accounts()", got, err, []*store.Account{&off},
			accountName)
		wantAudit(t, s, before...)
	}},
	{"DisableUnknown", func(t *testing.T, s nodeStore) {
		a := putAccount(t, s, "anna", "operator")
		before := auditOf(t, s)
		for _, name := range []string{"bob", "Anna", ""} {
			err := s.DisableAccount(ctx(t), name,
				entry(founderName, "account.disable", t1))
			checkErr(t, fmt.Sprintf("DisableAccount(%q)", name), err,
				store.ErrUnknownAccount)
		}
		got, err := s.AccountByToken(ctx(t), a.TokenHash)
		wantValue(t, "AccountByToken(anna)", got, err, a)
		wantAudit(t, s, before...)
	}},
	{"DisabledKeepsNameAndToken", func(t *testing.T, s nodeStore) {
		a := putAccount(t, s, "anna", "operator")
		err := s.DisableAccount(ctx(t), "anna",
			entry(founderName, "account.disable", t1))
		checkErr(t, "DisableAccount(anna)", err, nil)
		for _, again := range []*store.Account{
			{Name: "anna", TokenHash: sha256.Sum256(randBytes(t, 16)),
				Roles: []string{"operator"}, CreatedAt: t1},
			{Name: "bob", TokenHash: a.TokenHash,
				Roles: []string{"operator"}, CreatedAt: t1},
		} {
			err := s.PutAccount(ctx(t), again,
				entry(founderName, "account.create", t1))
			checkErr(t, fmt.Sprintf("PutAccount(%s)", again.Name), err,
				store.ErrAccountExists)
		}
	}},
	{"DisableNeedsAudit", func(t *testing.T, s nodeStore) {
		a := putAccount(t, s, "anna", "operator")
		if err := s.DisableAccount(ctx(t), "anna", nil); err == nil {
			t.Errorf("DisableAccount(anna, nil) = nil error, want one")
		}
		got, err := s.AccountByToken(ctx(t), a.TokenHash)
		wantValue(t, "AccountByToken(anna)", got, err, a)
	}},
}

func putAccount(t *testing.T, s nodeStore, name string,
	roles ...string) *store.Account {
	t.Helper()
	a := &store.Account{Name: name, Roles: roles, CreatedAt: t0,
		TokenHash: sha256.Sum256(randBytes(t, 16))}
	err := s.PutAccount(ctx(t), a, entry(founderName, "account.create", t0))
	checkErr(t, fmt.Sprintf("PutAccount(%s)", name), err, nil)
	return a
}

func accountName(a *store.Account) string { return a.Name }

var auditTests = []test[nodeStore]{
	{"AppendThenPage", func(t *testing.T, s nodeStore) {
		var want []store.AuditEntry
		for i := range 4 {
			e := entry(operatorName, "batch.open", t0.Add(time.Duration(i)))
			e.Target = fmt.Sprintf("c@1/2026-%02d/v1", i+1)
			err := s.AppendAudit(ctx(t), e)
			checkErr(t, "AppendAudit()", err, nil)
			want = append(want, *e)
		}
		wantAudit(t, s, want...)
		all := auditOf(t, s)
		for _, c := range []struct {
			after int64
			limit int
			want  []store.AuditEntry
		}{
			{0, 2, all[:2]},
			{all[1].Seq, 10, all[2:]},
			{all[1].Seq, 1, all[2:3]},
			{all[3].Seq, 10, nil},
			{0, 0, nil},
		} {
			got, err := s.Audit(ctx(t), c.after, c.limit)
			call := fmt.Sprintf("Audit(%d, %d)", c.after, c.limit)
			wantList(t, call, derefs(got), err, c.want, auditKey)
		}
	}},
	{"OrderOfChanges", func(t *testing.T, s nodeStore) {
		a := putAccount(t, s, "anna", "operator")
		define(t, s, "support", bySupport, t0)
		submit(t, s, "acme", support, t0)
		decide(t, s, true, t1, "acme")
		r, re := request(t, s, "acme", coding)
		decideRequest(t, s, r.ID, false)
		open := entry(operatorName, "batch.open", t1)
		open.Target = "support@2/2026-11/v1"
		checkErr(t, "AppendAudit()", s.AppendAudit(ctx(t), open), nil)
		wantAudit(t, s,
			logged(entry(founderName, "account.create", t0), a.Name),
			logged(entry(operatorName, "cohort.define", t0), "support"),
			logged(decisionEntry(true, t1), "acme"),
			logged(re, target(r)),
			logged(entry(founderName, "reassignment.decide", t1), target(r)),
			*open)
	}},
}

func derefs[T any](xs []*T) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = *x
	}
	return out
}

var accessTests = []test[nodeStore]{
	{"LogThenList", func(t *testing.T, s nodeStore) {
		want := map[string][]*store.Access{}
		for i, c := range []string{"acme", "globex", "acme"} {
			a := &store.Access{Company: c, At: t0.Add(time.Duration(i)),
				Publication: fmt.Sprintf("pub-%d", i)}
			checkErr(t, "LogAccess()", s.LogAccess(ctx(t), a), nil)
			want[c] = append(want[c], a)
		}
		for _, c := range []string{"acme", "globex", "initech"} {
			got, err := s.Accesses(ctx(t), c)
			wantList(t, fmt.Sprintf("Accesses(%s)", c), got, err, want[c],
				func(a *store.Access) string { return a.Publication })
		}
	}},
}

// atomicCases make changes with an audit entry that names no actor,
// which the store refuses once the change is made, in its transaction:
// the change must go with it. A store that appended the entry apart
// from the change would keep the change.
var atomicCases = []struct {
	name   string
	change func(t *testing.T, s nodeStore, e *store.AuditEntry,
		req int64) error
	check func(t *testing.T, s nodeStore, req int64)
}{
	{"DecideEnrollments", func(t *testing.T, s nodeStore,
		e *store.AuditEntry, req int64) error {
		_, err := s.DecideEnrollments(ctx(t), []string{"globex"}, true, e)
		return err
	}, func(t *testing.T, s nodeStore, req int64) {
		wantNoCompany(t, s, "globex")
		e, err := s.Enrollment(ctx(t), "globex")
		checkErr(t, "Enrollment(globex)", err, nil)
		if e.State != store.Pending {
			t.Errorf("Enrollment(globex).State = %s, want %s", e.State,
				store.Pending)
		}
	}},
	{"DefineCohort", func(t *testing.T, s nodeStore,
		e *store.AuditEntry, req int64) error {
		_, err := s.DefineCohort(ctx(t), "coding", byCoding, e)
		return err
	}, func(t *testing.T, s nodeStore, req int64) {
		_, err := s.Cohort(ctx(t), "coding", 0)
		checkErr(t, "Cohort(coding)", err, aggregation.ErrUnknownCohort)
	}},
	{"RequestReassignment", func(t *testing.T, s nodeStore,
		e *store.AuditEntry, req int64) error {
		_, err := s.RequestReassignment(ctx(t), &store.Reassignment{
			Company: "acme", To: supportMid, Rationale: "grew",
			RequestedBy: operatorName, RequestedAt: t1}, e)
		return err
	}, func(t *testing.T, s nodeStore, req int64) {
		got, err := s.Reassignments(ctx(t), store.Pending)
		checkErr(t, "Reassignments(pending)", err, nil)
		if len(got) != 1 || got[0].ID != req {
			t.Errorf("Reassignments(pending) = %v, want only %d",
				keys(got, target), req)
		}
	}},
	{"DecideReassignment", func(t *testing.T, s nodeStore,
		e *store.AuditEntry, req int64) error {
		_, err := s.DecideReassignment(ctx(t), req, true, e)
		return err
	}, func(t *testing.T, s nodeStore, req int64) {
		r, err := s.Reassignment(ctx(t), req)
		checkErr(t, "Reassignment()", err, nil)
		if r.State != store.Pending {
			t.Errorf("Reassignment(%d).State = %s, want %s", req, r.State,
				store.Pending)
		}
		a, err := s.Assignment(ctx(t), "acme")
		checkErr(t, "Assignment(acme)", err, nil)
		if a.Version != 1 {
			t.Errorf("Assignment(acme).Version = %d, want 1", a.Version)
		}
	}},
	{"PutAccount", func(t *testing.T, s nodeStore,
		e *store.AuditEntry, req int64) error {
		return s.PutAccount(ctx(t), &store.Account{Name: "bob",
			TokenHash: sha256.Sum256([]byte("bob")), CreatedAt: t1}, e)
	}, func(t *testing.T, s nodeStore, req int64) {
		_, err := s.AccountByToken(ctx(t), sha256.Sum256([]byte("bob")))
		checkErr(t, "AccountByToken(bob)", err, store.ErrUnknownAccount)
	}},
	{"DisableAccount", func(t *testing.T, s nodeStore,
		e *store.AuditEntry, req int64) error {
		return s.DisableAccount(ctx(t), "dora", e)
	}, func(t *testing.T, s nodeStore, req int64) {
		got, err := s.Accounts(ctx(t))
		checkErr(t, "Accounts()", err, nil)
		if len(got) != 1 || !got[0].DisabledAt.IsZero() {
			t.Errorf("Accounts() = %v, want dora active",
				keys(got, accountName))
		}
	}},
	{"AppendAudit", func(t *testing.T, s nodeStore,
		e *store.AuditEntry, req int64) error {
		return s.AppendAudit(ctx(t), e)
	}, func(*testing.T, nodeStore, int64) {}},
}

func init() {
	for _, tc := range atomicCases {
		auditTests = append(auditTests, test[nodeStore]{
			"AtomicWithChange/" + tc.name, func(t *testing.T, s nodeStore) {
				define(t, s, "support", bySupport, t0)
				Enroll(t, s, "acme", randBytes(t, 32), support)
				submit(t, s, "globex", support, t0)
				r, _ := request(t, s, "acme", coding)
				putAccount(t, s, "dora", "operator")
				cohorts, audit := cohortsOf(t, s), auditOf(t, s)

				e := entry("", "test.action", t1)
				if err := tc.change(t, s, e, r.ID); err == nil {
					t.Errorf("%s(entry without actor) = nil error, want one",
						tc.name)
				}
				tc.check(t, s, r.ID)
				wantCohorts(t, s, cohorts...)
				wantAudit(t, s, audit...)
			}})
	}
}
