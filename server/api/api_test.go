package api

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/aggregation"
)

func TestRef(t *testing.T) {
	b := aggregation.BatchID{Cohort: "support-smb@3", Period: "2026-11",
		Methodology: "v1"}
	got, err := ParseRef(Ref(b))
	if err != nil || got != b {
		t.Errorf("ParseRef(Ref(%v)) = %v, %v", b, got, err)
	}
	for _, bad := range []string{"", "a@1.2026-11", "a@1.2026-13.v1",
		"a.b@1.2026-11.v1", "A@1.2026-11.v1", "a@1.2026-11.v1.x"} {
		if _, err := ParseRef(bad); !errors.Is(err, aggregation.ErrMalformed) {
			t.Errorf("ParseRef(%q) = %v, want %v", bad, err,
				aggregation.ErrMalformed)
		}
	}
}

func sampleReport() *aggregation.Report {
	return &aggregation.Report{ID: aggregation.ReportID{1, 2, 3},
		Batch: aggregation.BatchID{Cohort: "c@1", Period: "2026-11",
			Methodology: "v1"},
		Company: "acme", Public: [][]byte{{1}, {2, 3}},
		Shares: [2][]byte{{4, 5}, {6}}, Signature: []byte{7, 8}}
}

func TestUploadRoundTrip(t *testing.T) {
	r := sampleReport()
	b, err := json.Marshal(FromReport(r))
	if err != nil {
		t.Fatal(err)
	}
	var u Upload
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatal(err)
	}
	got, err := u.Report()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("upload round trip (-want +got):\n%s", diff)
	}
}

// TestUploadErrors checks that each bad field is named in the error.
func TestUploadErrors(t *testing.T) {
	tests := []struct {
		field string
		edit  func(u *Upload)
		want  error
	}{
		{"id", func(u *Upload) { u.ID = "xyz" }, aggregation.ErrMalformed},
		{"public_shares[1]", func(u *Upload) { u.PublicShares[1] = "!" },
			ErrBase64},
		{"leader_share", func(u *Upload) { u.LeaderShare = "a" }, ErrBase64},
		{"helper_share", func(u *Upload) {
			u.HelperShare = strings.Repeat("A", 100<<10)
		}, aggregation.ErrMalformed},
		{"signature", func(u *Upload) { u.Signature = "@@" }, ErrBase64},
		{"public_shares", func(u *Upload) {
			u.PublicShares = make([]string, 65)
		}, aggregation.ErrMalformed},
	}
	for _, tc := range tests {
		u := FromReport(sampleReport())
		tc.edit(u)
		_, err := u.Report()
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(),
			tc.field) {
			t.Errorf("bad %s: Report() = %v, want %v naming the field",
				tc.field, err, tc.want)
		}
	}
}

func TestReceiptRoundTrip(t *testing.T) {
	rc := &aggregation.Receipt{Report: aggregation.ReportID{9},
		Batch: sampleReport().Batch, Company: "acme",
		Role: aggregation.Helper, Time: 1764547200,
		ReportHash: [32]byte{1, 2}, KeyID: "k1", Signature: []byte{3}}
	got, err := FromReceipt(rc).Receipt()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rc, got); diff != "" {
		t.Errorf("receipt round trip (-want +got):\n%s", diff)
	}
}

func TestJobRoundTrip(t *testing.T) {
	req := &aggregation.JobRequest{Job: aggregation.JobID{5},
		Batch: sampleReport().Batch,
		Reports: []aggregation.PrepInitMsg{
			{ID: aggregation.ReportID{1}, PrepShares: [][]byte{{1, 2}}},
			{ID: aggregation.ReportID{2}, Reason: "decrypt_failed"},
		}}
	got, err := FromJobRequest(req).JobRequest(req.Job.String())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(req, got); diff != "" {
		t.Errorf("job request round trip (-want +got):\n%s", diff)
	}
	resp := &aggregation.JobResponse{Job: req.Job,
		Results: []aggregation.PrepResult{
			{ID: aggregation.ReportID{1}, Messages: [][]byte{{3}}},
			{ID: aggregation.ReportID{2}, Reason: "decrypt_failed"},
		}}
	gotResp, err := FromJobResponse(resp).JobResponse()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(resp, gotResp); diff != "" {
		t.Errorf("job response round trip (-want +got):\n%s", diff)
	}
	if _, err := FromJobRequest(req).JobRequest("00"); err == nil {
		t.Error("JobRequest with a short job id succeeded")
	}
}

func TestParseError(t *testing.T) {
	body := []byte(`{"error":{"code":"replayed_report","message":"x"}}`)
	if err := ParseError(409, body); !errors.Is(err,
		aggregation.ErrReplay) {
		t.Errorf("ParseError(409 replayed_report) = %v, want %v", err,
			aggregation.ErrReplay)
	}
	if err := ParseError(503, nil); !errors.Is(err, ErrUnavailable) {
		t.Errorf("ParseError(503) = %v, want %v", err, ErrUnavailable)
	}
}

func TestReportMetricText(t *testing.T) {
	n := uint64(40)
	lo, hi, top := 0.1, 0.15, 2.0
	m := ReportMetric{Name: "x", N: &n, Percentiles: map[string]BucketRange{
		"p90": {Lo: &top}, "p25": {Lo: &lo, Hi: &hi},
		"p50": {Lo: &lo, Hi: &hi}, "p100": {Lo: &top}, "p5": {Hi: &lo}}}
	want := "n=40    p5 (-inf, 0.1)  p25 [0.1, 0.15)  p50 [0.1, 0.15)  " +
		"p90 [2, inf)  p100 [2, inf)"
	if got := m.Text(); got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
	s := ReportMetric{Name: "x", Suppressed: true, Reason: "too few"}
	if got := s.Text(); got != "suppressed: too few" {
		t.Errorf("Text() = %q, want the reason", got)
	}
}
