// Package submit uploads a company's report to both aggregators and
// checks the receipts they sign. It sends exactly the report: encrypted
// shares, public shares, ids and the company's signature, never a
// metric value.
//
// It does not retry on its own: an upload of the same report is safe to
// repeat, so the caller decides when.
package submit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/server/api"
)

// Aggregator is one aggregator as a company reaches it: its base URL
// and the key its receipts must verify under.
type Aggregator struct {
	URL string
	Key *sign.Verifier
}

// Submitter uploads reports to the leader and the helper.
type Submitter struct {
	aggs [2]Aggregator
	hc   *http.Client
}

// New returns a submitter to the two aggregators, by role. A nil hc
// means a client with a 30-second timeout.
func New(leader, helper Aggregator, hc *http.Client) *Submitter {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Submitter{aggs: [2]Aggregator{leader, helper}, hc: hc}
}

// Submit uploads r to both aggregators and returns their receipts,
// each checked against the aggregator's key and the report sent.
func (s *Submitter) Submit(ctx context.Context, r *aggregation.Report) (
	[2]*aggregation.Receipt, error) {
	var out [2]*aggregation.Receipt
	body, err := json.Marshal(api.FromReport(r))
	if err != nil {
		return out, err
	}
	for role := range s.aggs {
		rc, err := s.upload(ctx, aggregation.Role(role), body)
		if err != nil {
			return out, fmt.Errorf("upload report %s to %s: %w", r.ID,
				aggregation.Role(role), err)
		}
		if err := check(rc, r, aggregation.Role(role),
			s.aggs[role].Key); err != nil {
			return out, err
		}
		out[role] = rc
	}
	return out, nil
}

func (s *Submitter) upload(ctx context.Context, role aggregation.Role,
	body []byte) (*aggregation.Receipt, error) {
	url := strings.TrimRight(s.aggs[role].URL, "/") + "/v1/uploads"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url,
		bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusCreated {
		return nil, api.ParseError(resp.StatusCode, raw)
	}
	var rc api.Receipt
	if err := json.Unmarshal(raw, &rc); err != nil {
		return nil, fmt.Errorf("receipt: %w", aggregation.ErrMalformed)
	}
	return rc.Receipt()
}

// check makes sure a receipt is signed by the aggregator and is for
// the report sent, so a company never keeps a receipt that proves
// nothing.
func check(rc *aggregation.Receipt, r *aggregation.Report,
	role aggregation.Role, key *sign.Verifier) error {
	if key != nil {
		if err := rc.Verify(key); err != nil {
			return fmt.Errorf("%s receipt: %w", role, err)
		}
	}
	if rc.Report != r.ID || rc.Batch != r.Batch || rc.Role != role ||
		rc.Company != r.Company || rc.ReportHash != r.Hash() {
		return fmt.Errorf("%s receipt is for another report: %w", role,
			aggregation.ErrSignature)
	}
	return nil
}
