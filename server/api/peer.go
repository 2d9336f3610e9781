package api

import (
	"encoding/hex"
	"fmt"

	"github.com/infermargin/infermargin/aggregation"
)

// Limits of the messages between aggregators. A job holds at most
// MaxJobReports reports; the leader's job size stays below it.
const (
	MaxJobReports = 1000
	maxPrep       = 16 << 10
)

// JobRequest is the leader's aggregation job, PUT to the helper at
// /v1/internal/jobs/{job}.
type JobRequest struct {
	Batch   Batch      `json:"batch"`
	Reports []PrepInit `json:"reports"`
}

// PrepInit is the leader's prep shares for one report, or the code of
// the reason it dropped it.
type PrepInit struct {
	ID         string   `json:"id"`
	PrepShares []string `json:"prep_shares,omitempty"`
	Reason     string   `json:"reason,omitempty"`
}

// FromJobRequest encodes a job; the job id goes in the URL.
func FromJobRequest(r *aggregation.JobRequest) *JobRequest {
	out := &JobRequest{Batch: FromBatch(r.Batch)}
	for _, m := range r.Reports {
		out.Reports = append(out.Reports, PrepInit{ID: m.ID.String(),
			PrepShares: encodeList(m.PrepShares), Reason: m.Reason})
	}
	return out
}

// JobRequest decodes a job whose id, in hex, came in the URL.
func (r *JobRequest) JobRequest(job string) (*aggregation.JobRequest,
	error) {
	out := &aggregation.JobRequest{Batch: aggregation.BatchID(r.Batch)}
	if err := decodeHex("job id", job, out.Job[:]); err != nil {
		return nil, err
	}
	if err := out.Batch.Validate(); err != nil {
		return nil, err
	}
	if len(r.Reports) > MaxJobReports {
		return nil, fmt.Errorf("job of %d reports, at most %d: %w",
			len(r.Reports), MaxJobReports, aggregation.ErrMalformed)
	}
	for i, m := range r.Reports {
		p := aggregation.PrepInitMsg{Reason: m.Reason}
		field := fmt.Sprintf("reports[%d]", i)
		if err := decodeHex(field+".id", m.ID, p.ID[:]); err != nil {
			return nil, err
		}
		var err error
		p.PrepShares, err = decodeList(field+".prep_shares", m.PrepShares,
			maxList, maxPrep)
		if err != nil {
			return nil, err
		}
		out.Reports = append(out.Reports, p)
	}
	return out, nil
}

// JobResponse is the helper's answer to a job.
type JobResponse struct {
	Job     string       `json:"job"`
	Results []PrepResult `json:"results"`
}

// PrepResult is the helper's answer for one report.
type PrepResult struct {
	ID       string   `json:"id"`
	Messages []string `json:"messages,omitempty"`
	Reason   string   `json:"reason,omitempty"`
}

// FromJobResponse encodes the helper's answer.
func FromJobResponse(r *aggregation.JobResponse) *JobResponse {
	out := &JobResponse{Job: r.Job.String(), Results: []PrepResult{}}
	for _, p := range r.Results {
		out.Results = append(out.Results, PrepResult{ID: p.ID.String(),
			Messages: encodeList(p.Messages), Reason: p.Reason})
	}
	return out
}

// JobResponse decodes the helper's answer.
func (r *JobResponse) JobResponse() (*aggregation.JobResponse, error) {
	out := &aggregation.JobResponse{}
	if err := decodeHex("job", r.Job, out.Job[:]); err != nil {
		return nil, err
	}
	if len(r.Results) > MaxJobReports {
		return nil, fmt.Errorf("answer of %d reports: %w", len(r.Results),
			aggregation.ErrMalformed)
	}
	for i, p := range r.Results {
		res := aggregation.PrepResult{Reason: p.Reason}
		field := fmt.Sprintf("results[%d]", i)
		if err := decodeHex(field+".id", p.ID, res.ID[:]); err != nil {
			return nil, err
		}
		var err error
		res.Messages, err = decodeList(field+".messages", p.Messages,
			maxList, maxPrep)
		if err != nil {
			return nil, err
		}
		out.Results = append(out.Results, res)
	}
	return out, nil
}

// ShareRequest asks the helper for its aggregate share of a batch, at
// POST /v1/internal/shares.
type ShareRequest struct {
	Batch    Batch  `json:"batch"`
	Tier     string `json:"tier"`
	Count    uint64 `json:"count"`
	Checksum string `json:"checksum"`
}

// FromShareRequest encodes a share request.
func FromShareRequest(r *aggregation.ShareRequest) *ShareRequest {
	return &ShareRequest{Batch: FromBatch(r.Batch), Tier: r.Tier.String(),
		Count: r.Count, Checksum: hex.EncodeToString(r.Checksum[:])}
}

// ShareRequest decodes a share request.
func (r *ShareRequest) ShareRequest() (*aggregation.ShareRequest, error) {
	out := &aggregation.ShareRequest{Batch: aggregation.BatchID(r.Batch),
		Count: r.Count}
	if err := out.Batch.Validate(); err != nil {
		return nil, err
	}
	var err error
	if out.Tier, err = ParseTier(r.Tier); err != nil {
		return nil, err
	}
	return out, decodeHex("checksum", r.Checksum, out.Checksum[:])
}

// ParseTier reads "public" or "private".
func ParseTier(s string) (aggregation.Tier, error) {
	switch s {
	case "public":
		return aggregation.Public, nil
	case "private":
		return aggregation.Private, nil
	}
	return 0, fmt.Errorf("tier %q: want public or private: %w", clip(s),
		aggregation.ErrMalformed)
}

// Release is one aggregator's release: its statement in its signed
// binary encoding, and per metric its aggregate share encrypted to the
// publisher.
type Release struct {
	Statement string   `json:"statement"`
	Shares    []string `json:"shares"`
}

// FromRelease encodes a release.
func FromRelease(r *aggregation.Release) (*Release, error) {
	st, err := r.Statement.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return &Release{Statement: enc(st), Shares: encodeList(r.Shares)}, nil
}

// Release decodes a release. The statement's signature is checked by
// the receiver, not here.
func (r *Release) Release() (*aggregation.Release, error) {
	st, err := decode64("statement", r.Statement, maxCipher)
	if err != nil {
		return nil, err
	}
	out := &aggregation.Release{}
	if out.Statement, err = aggregation.ParseStatement(st); err != nil {
		return nil, err
	}
	out.Shares, err = decodeList("shares", r.Shares, maxList, maxCipher)
	return out, err
}

// Collection is both releases of a batch, as the leader hands them to
// a publisher or an auditor who holds the publisher key.
type Collection struct {
	Batch  Batch   `json:"batch"`
	Tier   string  `json:"tier"`
	Leader Release `json:"leader"`
	Helper Release `json:"helper"`
}

// FromCollection encodes a collection.
func FromCollection(c *aggregation.Collection) (*Collection, error) {
	out := &Collection{Batch: FromBatch(c.Batch), Tier: c.Tier.String()}
	for role, r := range []*Release{&out.Leader, &out.Helper} {
		rel, err := FromRelease(c.Releases[role])
		if err != nil {
			return nil, err
		}
		*r = *rel
	}
	return out, nil
}

// Collection decodes a collection.
func (c *Collection) Collection() (*aggregation.Collection, error) {
	out := &aggregation.Collection{Batch: aggregation.BatchID(c.Batch)}
	if err := out.Batch.Validate(); err != nil {
		return nil, err
	}
	var err error
	if out.Tier, err = ParseTier(c.Tier); err != nil {
		return nil, err
	}
	for role, r := range []*Release{&c.Leader, &c.Helper} {
		if out.Releases[role], err = r.Release(); err != nil {
			return nil, fmt.Errorf("%s release: %w",
				aggregation.Role(role), err)
		}
	}
	return out, nil
}
