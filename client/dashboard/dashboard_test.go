package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/client/collect"
	"github.com/infermargin/infermargin/client/enroll"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
)

func ranges(ps []Percentile) map[string]api.BucketRange {
	out := map[string]api.BucketRange{}
	for _, p := range ps {
		out[p.Name()] = api.BucketRange{Lo: p.Lo, Hi: p.Hi}
	}
	return out
}

// fixture is a month's kept metrics and one cohort's report of it:
// one metric per case the dashboard distinguishes.
func fixture(t *testing.T) (*collect.Local, *api.Report) {
	t.Helper()
	m, err := methodology.Load("v1")
	if err != nil {
		t.Fatal(err)
	}
	ref := api.Methodology{Version: "v1", Digest: m.Digest()}
	n := uint64(12)
	r := &api.Report{ID: "support@3.2026-11.v1.private",
		Cohort: "support@3", Period: "2026-11", Tier: "private",
		Methodology: ref, Count: 12, Metrics: []api.ReportMetric{
			{Name: "llm_cogs_ratio", N: &n,
				Percentiles: ranges(quartiles)},
			{Name: "mrr_growth_rate", Suppressed: true,
				Reason: "fewer than 10 reports with a defined value"},
			{Name: "inference_cost_per_paying_customer", N: &n,
				Percentiles: ranges([]Percentile{{25, f(0.5), f(1)},
					{50, f(1), f(2.5)}, {75, f(1), f(2.5)},
					{90, f(5), f(10)}})},
			{Name: "llm_spend_usd", N: &n,
				Percentiles: ranges([]Percentile{{25, f(1000), f(2500)},
					{50, f(2500), f(5000)}, {75, f(5000), f(10000)},
					{90, f(5000), f(10000)}})},
			{Name: "contribution_margin_proxy", N: &n,
				Percentiles: ranges([]Percentile{{50, f(0.1), f(0.2)}})},
		}}
	l := &collect.Local{Period: "2026-11",
		Methodology: collect.MethodologyRef{Version: "v1",
			Digest: m.Digest()},
		ComputedAt: time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC),
		Metrics: map[string]collect.LocalValue{
			"llm_cogs_ratio":                     {Value: f(0.42)},
			"mrr_growth_rate":                    {Value: f(0.03)},
			"inference_cost_per_paying_customer": {},
			"llm_spend_usd":                      {Value: f(5000)},
		}}
	return l, r
}

func bands(v *View) map[string]string {
	out := map[string]string{}
	for _, c := range v.Cohorts {
		for _, m := range c.Metrics {
			out[c.Cohort+" "+m.Name] = m.Band
		}
	}
	return out
}

func TestBuild(t *testing.T) {
	l, r := fixture(t)
	other := *r
	other.ID, other.Cohort = "old@1.2026-11.v1.private", "old@1"
	other.Methodology = api.Methodology{Version: "v1", Digest: "00"}
	v := Build("acme", l, []*api.Report{r, &other})
	want := map[string]string{
		"support@3 llm_cogs_ratio":                     "p50-p75",
		"support@3 mrr_growth_rate":                    "suppressed",
		"support@3 inference_cost_per_paying_customer": "n/a",
		"support@3 llm_spend_usd":                      "at p75/p90",
		"support@3 contribution_margin_proxy":          "not computed",
		"old@1 llm_cogs_ratio":                         "not compared",
		"old@1 mrr_growth_rate":                        "not compared",
		"old@1 inference_cost_per_paying_customer":     "not compared",
		"old@1 llm_spend_usd":                          "not compared",
		"old@1 contribution_margin_proxy":              "not computed",
	}
	if diff := cmp.Diff(want, bands(v)); diff != "" {
		t.Errorf("Build() bands mismatch (-want +got):\n%s", diff)
	}
	if v.Cohorts[0].Note != "" {
		t.Errorf("Build() note on a matching report = %q, want none",
			v.Cohorts[0].Note)
	}
	if !strings.Contains(v.Cohorts[1].Note, "not compared") {
		t.Errorf("Build() note on another methodology = %q, want "+
			"one saying the values are not compared", v.Cohorts[1].Note)
	}
	if got := v.Cohorts[1].Metrics[0].Chart(); got != nil {
		t.Errorf("Chart() under an unknown digest = %q, want nil", got)
	}
}

func TestWriteText(t *testing.T) {
	l, r := fixture(t)
	var b bytes.Buffer
	if err := Build("acme", l, []*api.Report{r}).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"acme, 2026-11. Your metrics: computed 2026-12-02 09:30 UTC, " +
			"methodology v1.\n",
		"Cohort support@3, private tier, 12 reports " +
			"(report support@3.2026-11.v1.private)\n",
		"  llm_cogs_ratio (ratio), n = 12\n    you: 0.42, p50-p75\n" +
			"    p25 [0.2, 0.25)  p50 [0.3, 0.35)  p75 [0.5, 0.6)  " +
			"p90 [0.8, 0.9)\n",
		"                                   ▲ you\n",
		"  mrr_growth_rate (ratio per month): suppressed\n" +
			"    fewer than 10 reports with a defined value\n" +
			"    you: 0.03\n",
		"    you: n/a, the metric is undefined for you this month\n",
		"    you: 5000, at p75/p90\n",
		"    you: not computed by your collector this month\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("WriteText() lacks %q; got:\n%s", want, got)
		}
	}
	for i, line := range strings.Split(got, "\n") {
		if n := len([]rune(line)); n > 80 {
			t.Errorf("WriteText() line %d is %d columns: %q", i+1, n, line)
		}
	}
}

func TestWriteTextNoCohort(t *testing.T) {
	l, _ := fixture(t)
	var b bytes.Buffer
	if err := Build("acme", l, nil).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if want := "No private-tier result for 2026-11 yet"; !strings.Contains(
		b.String(), want) {
		t.Errorf("WriteText() without reports = %q, want it to say %q",
			b.String(), want)
	}
}

func TestWriteJSON(t *testing.T) {
	l, r := fixture(t)
	var b bytes.Buffer
	if err := Build("acme", l, []*api.Report{r}).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Cohorts []struct {
			Metrics []struct {
				Name  string   `json:"name"`
				Value *float64 `json:"value"`
				Band  string   `json:"band"`
			} `json:"metrics"`
		} `json:"cohorts"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("WriteJSON() is not JSON: %v", err)
	}
	m := got.Cohorts[0].Metrics[0]
	if m.Name != "llm_cogs_ratio" || m.Value == nil || *m.Value != 0.42 ||
		m.Band != "p50-p75" {
		t.Errorf("WriteJSON() first metric = %+v, want llm_cogs_ratio "+
			"0.42 p50-p75", m)
	}
}

// node serves private reports to requests signed with key, recording
// every request it gets.
type node struct {
	key     *sign.Verifier
	reports map[string]*api.Report
	deny    bool

	mu   sync.Mutex
	seen []*http.Request
	body [][]byte
}

func (n *node) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	n.mu.Lock()
	n.seen, n.body = append(n.seen, r), append(n.body, b)
	n.mu.Unlock()
	sr, err := api.ParseSignedRequest(r.Header)
	if err == nil {
		err = sr.Verify(r.Method, r.URL.RequestURI(), n.key, time.Now())
	}
	if err != nil || sr.Company != "acme" {
		writeError(w, http.StatusUnauthorized, "unauthorized")
		return
	}
	if n.deny {
		writeError(w, http.StatusForbidden, "not_member")
		return
	}
	id, one := strings.CutPrefix(r.URL.Path, "/v1/private/reports/")
	if one {
		json.NewEncoder(w).Encode(n.reports[id])
		return
	}
	var list api.Reports
	for _, rep := range n.reports {
		list.Reports = append(list.Reports, rep.Summary())
	}
	json.NewEncoder(w).Encode(list)
}

func writeError(w http.ResponseWriter, status int, code string) {
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(api.Error{Error: api.ErrorDetail{
		Code: code, Message: "refused"}})
}

func newNode(t *testing.T, reports ...*api.Report) (*node,
	*enroll.Node) {
	t.Helper()
	s, err := sign.GenerateSigner()
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	n := &node{key: v, reports: map[string]*api.Report{}}
	for _, r := range reports {
		n.reports[r.ID] = r
	}
	srv := httptest.NewServer(n)
	t.Cleanup(srv.Close)
	return n, &enroll.Node{Role: "leader", URL: srv.URL,
		Company: "acme", Signer: s}
}

// TestFetch checks that Fetch reads each report of the period, in
// cohort order, and that its requests carry nothing but the period
// and the signature headers.
func TestFetch(t *testing.T) {
	_, r := fixture(t)
	b := *r
	b.ID, b.Cohort = "alpha@2.2026-11.v1.private", "alpha@2"
	old := *r
	old.ID, old.Period = "support@3.2026-10.v1.private", "2026-10"
	n, leader := newNode(t, r, &b, &old)

	got, err := Fetch(context.Background(), leader, "2026-11")
	if err != nil {
		t.Fatalf("Fetch() = %v", err)
	}
	var ids []string
	for _, rep := range got {
		ids = append(ids, rep.ID)
	}
	want := []string{"alpha@2.2026-11.v1.private",
		"support@3.2026-11.v1.private"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("Fetch() ids mismatch (-want +got):\n%s", diff)
	}

	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.seen) != 3 {
		t.Fatalf("node got %d requests, want 3", len(n.seen))
	}
	for i, req := range n.seen {
		if req.Method != http.MethodGet || len(n.body[i]) != 0 {
			t.Errorf("request %d: %s with %d bytes of body, want a GET "+
				"without one", i, req.Method, len(n.body[i]))
		}
		if q := req.URL.RawQuery; q != "" && q != "period=2026-11" {
			t.Errorf("request %d query = %q, want only the period", i, q)
		}
		for h := range req.Header {
			if strings.HasPrefix(h, "X-") && h != api.HeaderCompany &&
				h != api.HeaderTime && h != api.HeaderSignature {
				t.Errorf("request %d sends header %s", i, h)
			}
		}
	}
}

func TestFetchRefused(t *testing.T) {
	tests := []struct {
		name   string
		deny   bool
		signer bool
		want   string
	}{
		{"not a member", true, true, "not_member"},
		{"other key", false, false, "unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, leader := newNode(t)
			n.deny = tt.deny
			if !tt.signer {
				s, err := sign.GenerateSigner()
				if err != nil {
					t.Fatal(err)
				}
				leader.Signer = s
			}
			_, err := Fetch(context.Background(), leader, "2026-11")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Fetch() = %v, want an error with %q", err,
					tt.want)
			}
		})
	}
}

func TestFetchBadPeriod(t *testing.T) {
	n, leader := newNode(t)
	if _, err := Fetch(context.Background(), leader, "2026-13"); err == nil {
		t.Error("Fetch(2026-13) = nil, want an error")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.seen) != 0 {
		t.Errorf("Fetch(2026-13) sent %d requests, want none",
			len(n.seen))
	}
}
