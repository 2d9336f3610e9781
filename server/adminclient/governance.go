package adminclient

import (
	"context"
	"net/http"
	"net/url"

	"github.com/infermargin/infermargin/server/api"
)

// Enrollments lists the node's enrollments in state (pending, approved
// or rejected), or all of them when state is empty, oldest first.
func (c *Client) Enrollments(ctx context.Context, state string) (
	[]api.Enrollment, error) {
	var out api.Enrollments
	path := withQuery("/v1/admin/enrollments", url.Values{"state": {state}})
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out.Enrollments, err
}

// ApproveEnrollments approves pending enrollments, all or none, and
// returns the cohort versions the approval made.
func (c *Client) ApproveEnrollments(ctx context.Context,
	companies []string, reason string) (*api.Decided, error) {
	return c.decide(ctx, "/v1/admin/enrollments/approve",
		api.Decision{Companies: companies, Reason: reason})
}

// RejectEnrollments rejects pending enrollments, all or none. The node
// refuses a rejection without a reason.
func (c *Client) RejectEnrollments(ctx context.Context,
	companies []string, reason string) (*api.Decided, error) {
	return c.decide(ctx, "/v1/admin/enrollments/reject",
		api.Decision{Companies: companies, Reason: reason})
}

func (c *Client) decide(ctx context.Context, path string,
	d api.Decision) (*api.Decided, error) {
	var out api.Decided
	if err := c.do(ctx, http.MethodPost, path, d, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Cohorts returns the latest version of every cohort, by id.
func (c *Client) Cohorts(ctx context.Context) ([]api.Cohort, error) {
	var out api.Cohorts
	err := c.do(ctx, http.MethodGet, "/v1/admin/cohorts", nil, &out)
	return out.Cohorts, err
}

// Cohort returns a version of a cohort, the latest when version is 0.
func (c *Client) Cohort(ctx context.Context, id string, version int) (
	*api.Cohort, error) {
	q := url.Values{}
	if version > 0 {
		q.Set("version", itoa(int64(version)))
	}
	path := withQuery("/v1/admin/cohorts/"+url.PathEscape(id), q)
	var out api.Cohort
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DefineCohort defines a cohort and returns its version 1.
func (c *Client) DefineCohort(ctx context.Context,
	d api.CohortDefinition) (*api.Cohort, error) {
	var out api.Cohort
	err := c.do(ctx, http.MethodPost, "/v1/admin/cohorts", d, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// RequestReassignment records a request to change a company's answers,
// pending until a founder decides it.
func (c *Client) RequestReassignment(ctx context.Context,
	r api.ReassignmentRequest) (*api.Reassignment, error) {
	var out api.Reassignment
	err := c.do(ctx, http.MethodPost, "/v1/admin/reassignments", r, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Reassignments lists the reassignment requests in state, or all when
// state is empty, oldest first.
func (c *Client) Reassignments(ctx context.Context, state string) (
	[]api.Reassignment, error) {
	var out api.Reassignments
	path := withQuery("/v1/admin/reassignments",
		url.Values{"state": {state}})
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out.Reassignments, err
}

// ApproveReassignment approves request id, which needs an account with
// the founder role other than the one that made the request.
func (c *Client) ApproveReassignment(ctx context.Context, id int64,
	reason string) (*api.Decided, error) {
	return c.decide(ctx, "/v1/admin/reassignments/"+itoa(id)+"/approve",
		api.Decision{Reason: reason})
}

// RejectReassignment rejects request id; it needs the founder role.
func (c *Client) RejectReassignment(ctx context.Context, id int64,
	reason string) (*api.Decided, error) {
	return c.decide(ctx, "/v1/admin/reassignments/"+itoa(id)+"/reject",
		api.Decision{Reason: reason})
}

// CreateAccount creates an operator account. The answer holds its
// token, which the node never shows again.
func (c *Client) CreateAccount(ctx context.Context,
	r api.AccountRequest) (*api.Account, error) {
	var out api.Account
	err := c.do(ctx, http.MethodPost, "/v1/admin/accounts", r, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Accounts lists the operator accounts, by name, without tokens.
func (c *Client) Accounts(ctx context.Context) ([]api.Account, error) {
	var out api.Accounts
	err := c.do(ctx, http.MethodGet, "/v1/admin/accounts", nil, &out)
	return out.Accounts, err
}

// DisableAccount disables an account for good, revoking its token, and
// returns the account as it now stands. The node refuses it without a
// reason.
func (c *Client) DisableAccount(ctx context.Context, name,
	reason string) (*api.Account, error) {
	var out api.Account
	path := "/v1/admin/accounts/" + url.PathEscape(name) + "/disable"
	err := c.do(ctx, http.MethodPost, path, api.Decision{Reason: reason},
		&out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Audit returns up to limit audit entries with a sequence number above
// after, in order. A limit of 0 means the node's default.
func (c *Client) Audit(ctx context.Context, after int64, limit int) (
	[]api.AuditEntry, error) {
	q := url.Values{}
	if after > 0 {
		q.Set("after", itoa(after))
	}
	if limit > 0 {
		q.Set("limit", itoa(int64(limit)))
	}
	var out api.Audit
	err := c.do(ctx, http.MethodGet, withQuery("/v1/admin/audit", q), nil,
		&out)
	return out.Entries, err
}
