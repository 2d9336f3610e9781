package adminclient

import (
	"context"
	"net/http"
	"net/url"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server"
	"github.com/infermargin/infermargin/server/api"
)

// BatchState is the answer to opening or closing a batch: its ref and
// whether it is open or closed.
type BatchState struct {
	Batch string `json:"batch"`
	State string `json:"state"`
}

// OpenBatch opens batch b. Only the leader has the route: it opens the
// batch on the helper, then on itself.
func (c *Client) OpenBatch(ctx context.Context, b aggregation.BatchID,
	reason string) (*BatchState, error) {
	var out BatchState
	err := c.do(ctx, http.MethodPost, "/v1/admin/batches",
		api.OpenRequest{Batch: api.FromBatch(b), Reason: reason}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CloseBatch ends uploads to b on this node; each node closes its own.
func (c *Client) CloseBatch(ctx context.Context, b aggregation.BatchID,
	reason string) (*BatchState, error) {
	var out BatchState
	err := c.do(ctx, http.MethodPost, batchPath(b, "close", reason, ""),
		nil, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Aggregate has the leader run aggregation jobs over closed batch b.
func (c *Client) Aggregate(ctx context.Context, b aggregation.BatchID,
	reason string) (*server.JobStats, error) {
	var out server.JobStats
	err := c.do(ctx, http.MethodPost, batchPath(b, "aggregate", reason, ""),
		nil, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Publish has the leader collect, decrypt and publish b for tier, and
// returns the published report, suppressed with the reason when a
// threshold or the differencing guard blocks the release.
func (c *Client) Publish(ctx context.Context, b aggregation.BatchID,
	tier aggregation.Tier, reason string) (*api.Report, error) {
	var out api.Report
	err := c.do(ctx, http.MethodPost,
		batchPath(b, "publish", reason, tier.String()), nil, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func batchPath(b aggregation.BatchID, action, reason, tier string) string {
	p := "/v1/admin/batches/" + url.PathEscape(api.Ref(b)) + "/" + action
	return withQuery(p, url.Values{"tier": {tier}, "reason": {reason}})
}
