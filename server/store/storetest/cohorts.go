package storetest

import (
	"fmt"
	"testing"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/store"
)

var cohortTests = []test[nodeStore]{
	{"DefineEmpty", func(t *testing.T, s nodeStore) {
		submit(t, s, "acme", support, t0) // pending: not a member
		co := define(t, s, "support", bySupport, t1)
		want := cohort("support", 1, bySupport)
		wantMade(t, "DefineCohort(support)", []*aggregation.CohortVersion{co},
			want)
		wantCohort(t, s, 0, want)
		wantCohort(t, s, 1, want)
		wantAudit(t, s, logged(entry(operatorName, "cohort.define", t1),
			"support"))
	}},
	{"DefineWithMembers", func(t *testing.T, s nodeStore) {
		Enroll(t, s, "b-co", randBytes(t, 32), support)
		Enroll(t, s, "a-co", randBytes(t, 32), supportMid)
		Enroll(t, s, "c-co", randBytes(t, 32), coding)
		got := define(t, s, "support", bySupport, t1)
		want := cohort("support", 1, bySupport, "a-co", "b-co")
		wantMade(t, "DefineCohort(support)", []*aggregation.CohortVersion{got},
			want)
		small := define(t, s, "support-small", bySupportSmall, t1)
		wantMade(t, "DefineCohort(support-small)",
			[]*aggregation.CohortVersion{small},
			cohort("support-small", 1, bySupportSmall, "b-co"))
		wantCohorts(t, s, want, small)
	}},
	{"DefineTwice", func(t *testing.T, s nodeStore) {
		define(t, s, "support", bySupport, t0)
		_, err := s.DefineCohort(ctx(t), "support", byCoding,
			entry(operatorName, "cohort.define", t1))
		checkErr(t, "second DefineCohort(support)", err,
			store.ErrCohortExists)
		wantCohorts(t, s, cohort("support", 1, bySupport))
		wantAudit(t, s, logged(entry(operatorName, "cohort.define", t0),
			"support"))
	}},
	{"Unknown", func(t *testing.T, s nodeStore) {
		define(t, s, "support", bySupport, t0)
		for _, c := range []struct {
			id      string
			version int
		}{{"coding", 0}, {"coding", 1}, {"support", 2}} {
			_, err := s.Cohort(ctx(t), c.id, c.version)
			checkErr(t, fmt.Sprintf("Cohort(%s, %d)", c.id, c.version), err,
				aggregation.ErrUnknownCohort)
		}
	}},
	{"VersionOnlyOnChange", func(t *testing.T, s nodeStore) {
		define(t, s, "support", bySupport, t0)
		define(t, s, "coding", byCoding, t0)
		submit(t, s, "acme", support, t0)
		submit(t, s, "globex", other, t0)
		submit(t, s, "initech", coding, t0)

		made := decide(t, s, true, t1, "acme")
		support2 := cohort("support", 2, bySupport, "acme")
		wantMade(t, "DecideEnrollments(acme)", made, support2)
		made = decide(t, s, true, t1, "globex")
		wantMade(t, "DecideEnrollments(globex)", made)
		made = decide(t, s, false, t1, "initech")
		wantMade(t, "DecideEnrollments(initech, reject)", made)

		wantCohorts(t, s, cohort("coding", 1, byCoding), support2)
		wantCohort(t, s, 1, cohort("support", 1, bySupport))
	}},
	{"Overlapping", func(t *testing.T, s nodeStore) {
		define(t, s, "support", bySupport, t0)
		define(t, s, "support-small", bySupportSmall, t0)
		submit(t, s, "acme", support, t0)
		submit(t, s, "globex", supportMid, t0)

		made := decide(t, s, true, t1, "acme")
		wantMade(t, "DecideEnrollments(acme)", made,
			cohort("support", 2, bySupport, "acme"),
			cohort("support-small", 2, bySupportSmall, "acme"))
		made = decide(t, s, true, t1, "globex")
		support3 := cohort("support", 3, bySupport, "acme", "globex")
		wantMade(t, "DecideEnrollments(globex)", made, support3)

		wantCohorts(t, s, support3,
			cohort("support-small", 2, bySupportSmall, "acme"))
		wantCohort(t, s, 2, cohort("support", 2, bySupport, "acme"))
	}},
	{"SortedBytewise", func(t *testing.T, s nodeStore) {
		// Bytewise, '-' < '_' < letters; a collation for people that
		// skips punctuation would put "sup_a" first.
		ids := []string{"supa", "sup_a", "sup-b"}
		for _, id := range ids {
			define(t, s, id, bySupport, t0)
			Enroll(t, s, id, randBytes(t, 32), support)
		}
		want := []*aggregation.CohortVersion{
			cohort("sup-b", 2, bySupport, "sup-b", "sup_a", "supa"),
			cohort("sup_a", 3, bySupport, "sup-b", "sup_a", "supa"),
			cohort("supa", 4, bySupport, "sup-b", "sup_a", "supa"),
		}
		wantCohorts(t, s, want...)
		for _, co := range want {
			wantCohort(t, s, 0, co)
		}
	}},
	{"ApprovalsRace", func(t *testing.T, s nodeStore) {
		define(t, s, "support", bySupport, t0)
		names := make([]string, workers)
		for w := range names {
			names[w] = fmt.Sprintf("co-%d", w)
			submit(t, s, names[w], support, t0)
		}
		made := make([][]*aggregation.CohortVersion, workers)
		errs := race(func(w int) error {
			var err error
			made[w], err = s.DecideEnrollments(ctx(t), names[w:w+1], true,
				decisionEntry(true, t1))
			return err
		})
		// Each approval builds on the version the one before made.
		seen := map[int]bool{}
		for w, err := range errs {
			checkErr(t, fmt.Sprintf("worker %d: DecideEnrollments", w), err,
				nil)
			if len(made[w]) != 1 || !made[w][0].Has(names[w]) {
				t.Errorf("worker %d: DecideEnrollments(%s) made %v, want "+
					"one version with it", w, names[w],
					keys(made[w], cohortRef))
				continue
			}
			seen[made[w][0].Version] = true
		}
		for v := 2; v <= workers+1; v++ {
			if !seen[v] {
				t.Errorf("no approval made support@%d", v)
			}
		}
		wantCohorts(t, s, cohort("support", workers+1, bySupport, names...))
	}},
}
