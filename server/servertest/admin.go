// Package servertest drives aggregator nodes over HTTP from tests: the
// operator's admin calls, synthetic companies with their plaintext
// truth, and the expected published numbers computed from that truth.
// Only tests import it.
package servertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server"
	"github.com/infermargin/infermargin/server/api"
)

// Admin is an operator calling one node's admin endpoints.
type Admin struct {
	URL   string
	Token string
	HC    *http.Client
}

// Do sends a JSON request and decodes a JSON answer into out, turning
// an error answer into an error errors.Is can test. It returns the
// status.
func (a *Admin) Do(ctx context.Context, method, path string, in,
	out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method,
		strings.TrimRight(a.URL, "/")+path, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if a.Token != "" {
		req.Header.Set("Authorization", "Bearer "+a.Token)
	}
	hc := a.HC
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, api.ParseError(resp.StatusCode, raw)
	}
	if out == nil {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, json.Unmarshal(raw, out)
}

// Enroll submits a company's enrollment, signed with its key.
func (a *Admin) Enroll(ctx context.Context, c *Company) error {
	req, err := EnrollmentOf(c)
	if err != nil {
		return err
	}
	_, err = a.Do(ctx, http.MethodPost, "/v1/enrollments", req, nil)
	return err
}

// EnrollmentOf is a company's enrollment request, signed with its key.
func EnrollmentOf(c *Company) (*api.EnrollmentRequest, error) {
	raw, err := c.Key.MarshalBinary()
	if err != nil {
		return nil, err
	}
	req := &api.EnrollmentRequest{Company: c.ID, Key: api.EncodeKey(raw),
		Answers: c.Answers}
	sig, err := c.Signer.Sign(sign.KindEnrollment, req.SignedBytes())
	if err != nil {
		return nil, err
	}
	req.Signature = base64.StdEncoding.EncodeToString(sig)
	return req, nil
}

// Approve approves pending enrollments.
func (a *Admin) Approve(ctx context.Context, reason string,
	companies ...string) (*api.Decided, error) {
	var out api.Decided
	_, err := a.Do(ctx, http.MethodPost, "/v1/admin/enrollments/approve",
		api.Decision{Companies: companies, Reason: reason}, &out)
	return &out, err
}

// DefineCohort defines a cohort.
func (a *Admin) DefineCohort(ctx context.Context, id string,
	c methodology.Criteria) (*api.Cohort, error) {
	var out api.Cohort
	_, err := a.Do(ctx, http.MethodPost, "/v1/admin/cohorts",
		api.CohortDefinition{ID: id, Criteria: c, Reason: "test"}, &out)
	return &out, err
}

// Cohort returns a cohort's latest version.
func (a *Admin) Cohort(ctx context.Context, id string) (*api.Cohort,
	error) {
	var out api.Cohort
	_, err := a.Do(ctx, http.MethodGet, "/v1/admin/cohorts/"+id, nil, &out)
	return &out, err
}

// Open opens a batch, on the leader, which opens it on the helper.
func (a *Admin) Open(ctx context.Context, b aggregation.BatchID) error {
	_, err := a.Do(ctx, http.MethodPost, "/v1/admin/batches",
		api.OpenRequest{Batch: api.FromBatch(b)}, nil)
	return err
}

// Close closes a batch.
func (a *Admin) Close(ctx context.Context, b aggregation.BatchID) error {
	_, err := a.Do(ctx, http.MethodPost, batchPath(b, "close"), nil, nil)
	return err
}

// Aggregate runs the leader's jobs over a batch.
func (a *Admin) Aggregate(ctx context.Context, b aggregation.BatchID) (
	server.JobStats, error) {
	var st server.JobStats
	_, err := a.Do(ctx, http.MethodPost, batchPath(b, "aggregate"), nil,
		&st)
	return st, err
}

// Collect fetches both releases of a batch from the leader.
func (a *Admin) Collect(ctx context.Context, b aggregation.BatchID,
	tier aggregation.Tier) (*aggregation.Collection, error) {
	var c api.Collection
	_, err := a.Do(ctx, http.MethodPost,
		batchPath(b, "collect")+"?tier="+tier.String(), nil, &c)
	if err != nil {
		return nil, err
	}
	return c.Collection()
}

// Publish publishes a batch for a tier.
func (a *Admin) Publish(ctx context.Context, b aggregation.BatchID,
	tier aggregation.Tier) (*api.Report, error) {
	var r api.Report
	_, err := a.Do(ctx, http.MethodPost,
		batchPath(b, "publish")+"?tier="+tier.String(), nil, &r)
	return &r, err
}

// Report reads a published report from the public API.
func (a *Admin) Report(ctx context.Context, id string) (*api.Report,
	error) {
	var r api.Report
	_, err := a.Do(ctx, http.MethodGet, "/v1/reports/"+id, nil, &r)
	return &r, err
}

func batchPath(b aggregation.BatchID, action string) string {
	return fmt.Sprintf("/v1/admin/batches/%s/%s", api.Ref(b), action)
}
