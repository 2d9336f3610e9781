package record

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/aggregation"
)

func TestResultRoundTrip(t *testing.T) {
	job := aggregation.JobID{1, 2, 3}
	tests := []*aggregation.JobResult{
		{Job: job},
		{Job: job, Outcomes: []aggregation.Outcome{}, AggShare: [][]byte{}},
		{Job: job, Batch: aggregation.BatchID{Cohort: "c@1",
			Period: "2026-11", Methodology: "v1"},
			Outcomes: []aggregation.Outcome{{ID: aggregation.ReportID{9},
				Accepted: true}, {ID: aggregation.ReportID{8},
				Reason: "invalid_share"}},
			AggShare: [][]byte{{1, 2}, {}, nil},
			Response: &aggregation.JobResponse{Job: job,
				Results: []aggregation.PrepResult{
					{ID: aggregation.ReportID{9}, Messages: [][]byte{{7}}},
					{ID: aggregation.ReportID{8}, Reason: "invalid_share"},
				}}},
	}
	for _, want := range tests {
		b, err := MarshalResult(want)
		if err != nil {
			t.Fatalf("MarshalResult(%+v) = %v", want, err)
		}
		got, err := UnmarshalResult(b)
		if err != nil {
			t.Fatalf("UnmarshalResult(%s) = %v", b, err)
		}
		if d := cmp.Diff(got, want); d != "" {
			t.Errorf("round trip of %s (-got +want):\n%s", b, d)
		}
	}
}

func TestUnmarshalResultRefuses(t *testing.T) {
	for _, in := range []string{
		``,
		`{"job":"zz"}`,
		`{"job":"0102"}`,
		`{"job":"01020300000000000000000000000000","outcomes":[{"id":"x"}]}`,
	} {
		if _, err := UnmarshalResult([]byte(in)); err == nil {
			t.Errorf("UnmarshalResult(%q) = nil error, want one", in)
		}
	}
}

func TestIDs(t *testing.T) {
	ids := []aggregation.ReportID{{1}, {2}, {3}}
	got, err := SplitIDs(JoinIDs(ids))
	if err != nil {
		t.Fatalf("SplitIDs(JoinIDs()) = %v", err)
	}
	if d := cmp.Diff(got, ids); d != "" {
		t.Errorf("SplitIDs(JoinIDs(ids)) = %v, want %v", got, ids)
	}
	if _, err := SplitIDs(make([]byte, 17)); err == nil {
		t.Error("SplitIDs(17 bytes) = nil error, want one")
	}
	if _, err := ID(make([]byte, 15)); err == nil {
		t.Error("ID(15 bytes) = nil error, want one")
	}
}

func TestNames(t *testing.T) {
	for _, names := range [][]string{
		{},
		{"founder"},
		{"a,b", `q"uote`, "ünï"},
	} {
		s := JoinNames(names)
		got, err := SplitNames(s)
		if err != nil {
			t.Fatalf("SplitNames(%q) = %v", s, err)
		}
		if d := cmp.Diff(got, names); d != "" {
			t.Errorf("SplitNames(JoinNames(%q)) = %q, want %q", names, got,
				names)
		}
	}
	if got := JoinNames(nil); got != "[]" {
		t.Errorf("JoinNames(nil) = %q, want %q", got, "[]")
	}
	for _, in := range []string{"", "null", `{"a":1}`, `[1]`} {
		if _, err := SplitNames(in); err == nil {
			t.Errorf("SplitNames(%q) = nil error, want one", in)
		}
	}
}
