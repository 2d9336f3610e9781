package enroll

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
)

func v1(t testing.TB) *methodology.Methodology {
	t.Helper()
	m, err := methodology.Load("v1")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseQuestionnaire(t *testing.T) {
	good := &Questionnaire{Company: "acme", Answers: methodology.Answers{
		UseCase: "customer_support", ARRBand: "<1M", TeamSize: "11-50"}}
	tests := []struct {
		name string
		in   string
		want *Questionnaire
		err  error  // wrapped by the error, if any
		msg  string // in the error's text
	}{
		{name: "good", in: "company: acme\nuse_case: customer_support\n" +
			"arr_band: \"<1M\"\nteam_size: \"11-50\"\n", want: good},
		{name: "good, flow style", in: `{company: acme, use_case: ` +
			`customer_support, arr_band: "<1M", team_size: 11-50}`,
			want: good},
		{name: "open-ended band", in: "company: acme\nuse_case: other\n" +
			"arr_band: \">100M\"\nteam_size: \">1000\"\n",
			want: &Questionnaire{Company: "acme", Answers: methodology.
				Answers{UseCase: "other", ARRBand: ">100M",
				TeamSize: ">1000"}}},
		{name: "use case missing", in: "company: acme\narr_band: \"<1M\"" +
			"\nteam_size: 1-10\n", err: methodology.ErrAnswer,
			msg: "use_case: missing"},
		{name: "use case left empty", in: "company: acme\nuse_case: \"\"" +
			"\narr_band: \"<1M\"\nteam_size: 1-10\n",
			err: methodology.ErrAnswer, msg: "use_case: missing"},
		{name: "use case null", in: "company: acme\nuse_case:\n" +
			"arr_band: \"<1M\"\nteam_size: 1-10\n",
			err: methodology.ErrAnswer, msg: "use_case: missing"},
		{name: "two use cases", in: "company: acme\nuse_case: " +
			"[customer_support, coding_assistant]\narr_band: \"<1M\"\n" +
			"team_size: 1-10\n", err: ErrQuestionnaire,
			msg: "line 2: use_case is a list; give exactly one primary " +
				"use case"},
		{name: "two use cases, block list", in: "company: acme\n" +
			"use_case:\n  - customer_support\n  - other\n",
			err: ErrQuestionnaire, msg: "exactly one primary use case"},
		{name: "a list of one", in: "company: acme\nuse_case: [other]\n",
			err: ErrQuestionnaire, msg: "exactly one primary use case"},
		{name: "unknown use case", in: "company: acme\nuse_case: chat\n" +
			"arr_band: \"<1M\"\nteam_size: 1-10\n",
			err: methodology.ErrAnswer, msg: `use_case "chat": want one of`},
		{name: "unknown band", in: "company: acme\nuse_case: other\n" +
			"arr_band: 1M-5M\nteam_size: 1-10\n",
			err: methodology.ErrAnswer, msg: `arr_band "1M-5M"`},
		{name: "number for a band", in: "company: acme\nuse_case: other\n" +
			"arr_band: \"<1M\"\nteam_size: 12\n",
			err: methodology.ErrAnswer, msg: `team_size "12"`},
		{name: "unknown key", in: "company: acme\nuse_case: other\n" +
			"arr_band: \"<1M\"\nteam_size: 1-10\nrevenue: 5\n",
			err: ErrQuestionnaire, msg: `line 5: unknown key "revenue"`},
		{name: "misspelt key", in: "company: acme\nusecase: other\n",
			err: ErrQuestionnaire, msg: `unknown key "usecase"`},
		{name: "key twice", in: "company: acme\nuse_case: other\n" +
			"use_case: other\n", err: ErrQuestionnaire,
			msg: "line 3: use_case answered twice"},
		{name: "mapping for an answer", in: "company: acme\narr_band: " +
			"{lo: 0}\n", err: ErrQuestionnaire,
			msg: "arr_band: want one answer"},
		{name: "list for a band", in: "company: acme\nteam_size: " +
			"[1-10]\n", err: ErrQuestionnaire,
			msg: "team_size: want one answer"},
		{name: "company missing", in: "use_case: other\narr_band: " +
			"\"<1M\"\nteam_size: 1-10\n", err: ErrQuestionnaire,
			msg: "company: missing"},
		{name: "bad company", in: "company: Acme Inc\nuse_case: other\n",
			err: aggregation.ErrMalformed, msg: "company"},
		{name: "empty", in: "# nothing\n", err: ErrQuestionnaire,
			msg: "empty"},
		{name: "not a mapping", in: "- acme\n", err: ErrQuestionnaire,
			msg: "want a mapping"},
		{name: "two documents", in: "company: acme\n---\ncompany: b\n",
			err: ErrQuestionnaire, msg: "more than one document"},
		{name: "unquoted >", in: "company: acme\narr_band: >100M\n",
			err: ErrQuestionnaire},
		{name: "too big", in: "company: acme\n" + strings.Repeat("#",
			maxQuestionnaire), err: ErrQuestionnaire, msg: "over"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQuestionnaire([]byte(tt.in), v1(t))
			if tt.err == nil {
				if err != nil {
					t.Fatalf("ParseQuestionnaire() = %v", err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("ParseQuestionnaire() mismatch (-want "+
						"+got):\n%s", diff)
				}
				return
			}
			if !errors.Is(err, tt.err) ||
				!strings.Contains(err.Error(), tt.msg) {
				t.Errorf("ParseQuestionnaire() = %v, want an error "+
					"wrapping %v with %q", err, tt.err, tt.msg)
			}
		})
	}
}

// TestTemplate checks that the template lists every choice, is
// refused until filled in, and parses once its answers are.
func TestTemplate(t *testing.T) {
	m := v1(t)
	tpl := string(Template(m, "acme"))
	v := m.Vocabulary
	var ids []string
	for _, c := range v.UseCases {
		ids = append(ids, c.ID)
	}
	for _, b := range append(v.ARRBands, v.TeamSizes...) {
		ids = append(ids, b.ID)
	}
	for _, id := range ids {
		if !strings.Contains(tpl, "#   \""+id+"\"") {
			t.Errorf("Template() does not list %q:\n%s", id, tpl)
		}
	}

	_, err := ParseQuestionnaire([]byte(tpl), m)
	if !errors.Is(err, methodology.ErrAnswer) ||
		!strings.Contains(err.Error(), "use_case: missing") {
		t.Errorf("ParseQuestionnaire(template) = %v, want use_case "+
			"missing", err)
	}

	filled := strings.NewReplacer(`use_case: ""`, `use_case: "other"`,
		`arr_band: ""`, `arr_band: ">100M"`,
		`team_size: ""`, `team_size: "1-10"`).Replace(tpl)
	got, err := ParseQuestionnaire([]byte(filled), m)
	if err != nil {
		t.Fatalf("ParseQuestionnaire(filled template) = %v", err)
	}
	want := &Questionnaire{Company: "acme", Answers: methodology.Answers{
		UseCase: "other", ARRBand: ">100M", TeamSize: "1-10"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseQuestionnaire(filled) mismatch (-want +got):\n%s",
			diff)
	}
}

func FuzzParseQuestionnaire(f *testing.F) {
	m := v1(f)
	f.Add(Template(m, "acme"))
	f.Add([]byte("company: acme\nuse_case: [a, b]\n"))
	f.Add([]byte("{company: acme, x: *y}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := ParseQuestionnaire(b, m)
		if err == nil && m.CheckAnswers(q.Answers) != nil {
			t.Errorf("ParseQuestionnaire() accepted answers that "+
				"CheckAnswers refuses: %+v", q.Answers)
		}
	})
}
