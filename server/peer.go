package server

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/api"
)

// ErrPeerUnavailable is a call to the other aggregator that got no
// answer: the network failed or the peer answered 5xx. Jobs and
// releases are idempotent, so the caller may simply run again.
var ErrPeerUnavailable = api.ErrUnavailable

// Peer is the helper as the leader reaches it over HTTP. It implements
// aggregation.Peer.
type Peer struct {
	base  string
	token string
	hc    *http.Client
	// Attempts is how many times a call is tried before it fails with
	// ErrPeerUnavailable; Backoff the wait before the second try,
	// doubled each time after.
	Attempts int
	Backoff  time.Duration
}

// NewPeer returns the helper at base URL, called with bearer token. A
// nil hc means a client with a one-minute timeout.
func NewPeer(base, token string, hc *http.Client) *Peer {
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	return &Peer{base: strings.TrimRight(base, "/"), token: token, hc: hc,
		Attempts: 3, Backoff: 200 * time.Millisecond}
}

var _ HelperNode = (*Peer)(nil)

// OpenBatch implements HelperNode.
func (p *Peer) OpenBatch(ctx context.Context, b aggregation.BatchID,
	digest [32]byte) error {
	req := api.OpenRequest{Batch: api.FromBatch(b),
		CohortDigest: hex.EncodeToString(digest[:])}
	var out map[string]string
	return p.call(ctx, http.MethodPut, p.base+"/v1/internal/batches", req,
		&out)
}

// Aggregate implements aggregation.Peer.
func (p *Peer) Aggregate(ctx context.Context, req *aggregation.JobRequest) (
	*aggregation.JobResponse, error) {
	var resp api.JobResponse
	url := p.base + "/v1/internal/jobs/" + req.Job.String()
	err := p.call(ctx, http.MethodPut, url, api.FromJobRequest(req), &resp)
	if err != nil {
		return nil, err
	}
	return resp.JobResponse()
}

// AggregateShare implements aggregation.Peer.
func (p *Peer) AggregateShare(ctx context.Context,
	req *aggregation.ShareRequest) (*aggregation.Release, error) {
	var rel api.Release
	url := p.base + "/v1/internal/shares"
	err := p.call(ctx, http.MethodPost, url, api.FromShareRequest(req), &rel)
	if err != nil {
		return nil, err
	}
	return rel.Release()
}

// call sends in as JSON and decodes the answer into out, trying again
// after a network error or a 5xx.
func (p *Peer) call(ctx context.Context, method, url string, in,
	out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	wait := p.Backoff
	for try := 1; ; try++ {
		err = p.once(ctx, method, url, body, out)
		if !errors.Is(err, ErrPeerUnavailable) || try >= p.Attempts {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (p *Peer) once(ctx context.Context, method, url string, body []byte,
	out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url,
		bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, err := p.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w: %v", method, req.URL.Path,
			ErrPeerUnavailable, err)
	}
	defer resp.Body.Close()

	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxInternalBody))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w: %v", method,
			req.URL.Path, ErrPeerUnavailable, err)
	}
	if resp.StatusCode >= 300 {
		return api.ParseError(resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: answer: %w", method, req.URL.Path,
			aggregation.ErrMalformed)
	}
	return nil
}
