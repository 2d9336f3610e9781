package adminclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
)

const testToken = "imop_secret-token-value"

// seen is one request as the fake node received it.
type seen struct {
	Method, URI, Auth string
	Body              any
}

// fakeNode answers every request with status and answer, and keeps
// what it received.
func fakeNode(t *testing.T, status int, answer string) (*Client,
	*[]seen) {
	t.Helper()
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body any
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Errorf("%s %s: body is not JSON: %v", r.Method,
					r.RequestURI, err)
			}
		}
		got = append(got, seen{Method: r.Method, URI: r.RequestURI,
			Auth: r.Header.Get("Authorization"), Body: body})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return &Client{URL: srv.URL + "/", Token: testToken}, &got
}

var batch = aggregation.BatchID{Cohort: "support@2", Period: "2026-03",
	Methodology: "v1"}

func TestRequests(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		call func(c *Client) error
		want seen // Auth is always checked against the token
	}{
		{"enrollments", func(c *Client) error {
			_, err := c.Enrollments(ctx, "pending")
			return err
		}, seen{Method: "GET", URI: "/v1/admin/enrollments?state=pending"}},
		{"all enrollments", func(c *Client) error {
			_, err := c.Enrollments(ctx, "")
			return err
		}, seen{Method: "GET", URI: "/v1/admin/enrollments"}},
		{"approve", func(c *Client) error {
			_, err := c.ApproveEnrollments(ctx, []string{"a", "b"}, "ok")
			return err
		}, seen{Method: "POST", URI: "/v1/admin/enrollments/approve",
			Body: map[string]any{"companies": []any{"a", "b"},
				"reason": "ok"}}},
		{"reject", func(c *Client) error {
			_, err := c.RejectEnrollments(ctx, []string{"a"}, "spam")
			return err
		}, seen{Method: "POST", URI: "/v1/admin/enrollments/reject",
			Body: map[string]any{"companies": []any{"a"},
				"reason": "spam"}}},
		{"cohorts", func(c *Client) error {
			_, err := c.Cohorts(ctx)
			return err
		}, seen{Method: "GET", URI: "/v1/admin/cohorts"}},
		{"cohort", func(c *Client) error {
			_, err := c.Cohort(ctx, "support", 3)
			return err
		}, seen{Method: "GET", URI: "/v1/admin/cohorts/support?version=3"}},
		{"latest cohort", func(c *Client) error {
			_, err := c.Cohort(ctx, "support", 0)
			return err
		}, seen{Method: "GET", URI: "/v1/admin/cohorts/support"}},
		{"define", func(c *Client) error {
			_, err := c.DefineCohort(ctx, api.CohortDefinition{ID: "s",
				Criteria: methodology.Criteria{UseCase: "other"},
				Reason:   "new"})
			return err
		}, seen{Method: "POST", URI: "/v1/admin/cohorts",
			Body: map[string]any{"id": "s", "reason": "new",
				"criteria": map[string]any{"use_case": "other"}}}},
		{"request reassignment", func(c *Client) error {
			_, err := c.RequestReassignment(ctx, api.ReassignmentRequest{
				Company: "a", ARRBand: "<1M", Rationale: "shrank"})
			return err
		}, seen{Method: "POST", URI: "/v1/admin/reassignments",
			Body: map[string]any{"company": "a", "use_case": "",
				"arr_band": "<1M", "rationale": "shrank"}}},
		{"reassignments", func(c *Client) error {
			_, err := c.Reassignments(ctx, "approved")
			return err
		}, seen{Method: "GET",
			URI: "/v1/admin/reassignments?state=approved"}},
		{"approve reassignment", func(c *Client) error {
			_, err := c.ApproveReassignment(ctx, 7, "")
			return err
		}, seen{Method: "POST", URI: "/v1/admin/reassignments/7/approve",
			Body: map[string]any{"reason": ""}}},
		{"reject reassignment", func(c *Client) error {
			_, err := c.RejectReassignment(ctx, 8, "no")
			return err
		}, seen{Method: "POST", URI: "/v1/admin/reassignments/8/reject",
			Body: map[string]any{"reason": "no"}}},
		{"create account", func(c *Client) error {
			_, err := c.CreateAccount(ctx, api.AccountRequest{Name: "ada",
				Roles: []string{"founder"}})
			return err
		}, seen{Method: "POST", URI: "/v1/admin/accounts",
			Body: map[string]any{"name": "ada", "reason": "",
				"roles": []any{"founder"}}}},
		{"accounts", func(c *Client) error {
			_, err := c.Accounts(ctx)
			return err
		}, seen{Method: "GET", URI: "/v1/admin/accounts"}},
		{"disable account", func(c *Client) error {
			_, err := c.DisableAccount(ctx, "bob", "token leaked")
			return err
		}, seen{Method: "POST", URI: "/v1/admin/accounts/bob/disable",
			Body: map[string]any{"reason": "token leaked"}}},
		{"audit", func(c *Client) error {
			_, err := c.Audit(ctx, 10, 5)
			return err
		}, seen{Method: "GET", URI: "/v1/admin/audit?after=10&limit=5"}},
		{"open", func(c *Client) error {
			_, err := c.OpenBatch(ctx, batch, "monthly")
			return err
		}, seen{Method: "POST", URI: "/v1/admin/batches",
			Body: map[string]any{"reason": "monthly", "batch": map[string]any{
				"cohort": "support@2", "period": "2026-03",
				"methodology": "v1"}}}},
		{"close", func(c *Client) error {
			_, err := c.CloseBatch(ctx, batch, "month over")
			return err
		}, seen{Method: "POST", URI: "/v1/admin/batches/" +
			"support@2.2026-03.v1/close?reason=month+over"}},
		{"aggregate", func(c *Client) error {
			_, err := c.Aggregate(ctx, batch, "")
			return err
		}, seen{Method: "POST",
			URI: "/v1/admin/batches/support@2.2026-03.v1/aggregate"}},
		{"publish", func(c *Client) error {
			_, err := c.Publish(ctx, batch, aggregation.Private, "")
			return err
		}, seen{Method: "POST", URI: "/v1/admin/batches/" +
			"support@2.2026-03.v1/publish?tier=private"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, got := fakeNode(t, http.StatusOK, "{}")
			if err := tc.call(c); err != nil {
				t.Fatalf("call = %v, want nil", err)
			}
			tc.want.Auth = "Bearer " + testToken
			if diff := cmp.Diff([]seen{tc.want}, *got); diff != "" {
				t.Errorf("requests differ (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAnswers(t *testing.T) {
	ctx := context.Background()
	c, _ := fakeNode(t, http.StatusCreated, `{"name":"ada",`+
		`"roles":["founder"],"created_at":"2026-03-01T00:00:00Z",`+
		`"token":"imop_new"}`)
	a, err := c.CreateAccount(ctx, api.AccountRequest{Name: "ada",
		Roles: []string{"founder"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "ada" || a.Token != "imop_new" ||
		!cmp.Equal(a.Roles, []string{"founder"}) {
		t.Errorf("CreateAccount() = %+v, want ada, founder, imop_new", a)
	}

	c, _ = fakeNode(t, http.StatusOK, `{"enrollments":[{"company":"a",`+
		`"state":"pending"},{"company":"b","state":"pending"}]}`)
	es, err := c.Enrollments(ctx, "pending")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range es {
		ids = append(ids, e.Company)
	}
	if !cmp.Equal(ids, []string{"a", "b"}) {
		t.Errorf("Enrollments() companies = %q, want [a b]", ids)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		answer string
		want   []string // in the message
		is     error
	}{
		{"refusal", http.StatusForbidden, `{"error":{"code":"forbidden",` +
			`"message":"account \"bob\" needs one of the roles"}}`,
			[]string{"POST /v1/admin/reassignments/3/approve", "403",
				"forbidden", `account "bob" needs one of the roles`}, nil},
		{"sentinel", http.StatusConflict, `{"error":{"code":` +
			`"narrow_cohort","message":"cohort s@1 has 3 members"}}`,
			[]string{"409 narrow_cohort", "s@1 has 3"},
			aggregation.ErrNarrowCohort},
		{"server fault", http.StatusInternalServerError,
			`{"error":{"code":"internal","message":"internal error"}}`,
			[]string{"500 internal"}, api.ErrUnavailable},
		{"not JSON", http.StatusBadGateway, `<html>bad gateway</html>`,
			[]string{"502"}, api.ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := fakeNode(t, tc.status, tc.answer)
			_, err := c.ApproveReassignment(context.Background(), 3, "")
			if err == nil {
				t.Fatal("ApproveReassignment() = nil, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error %q holds the token", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false, want true", err, tc.is)
			}
		})
	}
}

func TestToken(t *testing.T) {
	tests := []struct {
		token string
		ok    bool
	}{
		{"imop_abc-DEF_123", true},
		{"", false},
		{"two words", false},
		{"line\nbreak", false},
		{"tab\there", false},
		{"del\x7f", false},
	}
	for _, tc := range tests {
		t.Run(tc.token, func(t *testing.T) {
			c, got := fakeNode(t, http.StatusOK, `{"accounts":[]}`)
			c.Token = tc.token
			_, err := c.Accounts(context.Background())
			if (err == nil) != tc.ok {
				t.Fatalf("Accounts() with token %q = %v, want ok %v",
					tc.token, err, tc.ok)
			}
			if !tc.ok && (!errors.Is(err, ErrToken) || len(*got) > 0) {
				t.Errorf("Accounts() = %v after %d requests, want "+
					"ErrToken before any", err, len(*got))
			}
			if !tc.ok && tc.token != "" &&
				strings.Contains(err.Error(), tc.token) {
				t.Errorf("error %q holds the token", err)
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	c := &Client{URL: "http://127.0.0.1:1", Token: testToken}
	_, err := c.Cohorts(context.Background())
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("Cohorts() on a closed port = %v, want an error "+
			"without the token", err)
	}
}
