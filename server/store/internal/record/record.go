// Package record encodes the values the SQL stores keep in one column
// rather than in rows of their own: the ordered list of reports a job
// claimed, a committed job's result, and short lists of names (an
// account's roles, a release's companies). Each is read back whole and
// never queried inside, so one column is simpler than a table, and both
// stores share one encoding.
package record

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/infermargin/infermargin/aggregation"
)

// idLen is the length of a report or job id.
const idLen = len(aggregation.ReportID{})

// JoinIDs concatenates report ids, keeping their order.
func JoinIDs(ids []aggregation.ReportID) []byte {
	b := make([]byte, 0, len(ids)*idLen)
	for _, id := range ids {
		b = append(b, id[:]...)
	}
	return b
}

// SplitIDs reverses JoinIDs.
func SplitIDs(b []byte) ([]aggregation.ReportID, error) {
	if len(b)%idLen != 0 {
		return nil, fmt.Errorf("report id list of %d bytes", len(b))
	}
	ids := make([]aggregation.ReportID, len(b)/idLen)
	for i := range ids {
		copy(ids[i][:], b[i*idLen:])
	}
	return ids, nil
}

// ID copies a 16-byte id read from a column into a report or job id.
func ID(b []byte) ([idLen]byte, error) {
	var id [idLen]byte
	if len(b) != idLen {
		return id, fmt.Errorf("id of %d bytes, want %d", len(b), idLen)
	}
	copy(id[:], b)
	return id, nil
}

// result is a JobResult in JSON. Ids are hex, byte strings base64 (the
// encoding/json default), so the column stays readable in a SQL shell.
type result struct {
	Job      string              `json:"job"`
	Batch    aggregation.BatchID `json:"batch"`
	Outcomes []outcome           `json:"outcomes"`
	AggShare [][]byte            `json:"agg_share"`
	Response *response           `json:"response,omitempty"`
}

type outcome struct {
	ID       string `json:"id"`
	Accepted bool   `json:"accepted,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

type response struct {
	Job     string       `json:"job"`
	Results []prepResult `json:"results"`
}

type prepResult struct {
	ID       string   `json:"id"`
	Messages [][]byte `json:"messages"`
	Reason   string   `json:"reason,omitempty"`
}

// MarshalResult encodes a job result.
func MarshalResult(r *aggregation.JobResult) ([]byte, error) {
	v := result{Job: r.Job.String(), Batch: r.Batch, AggShare: r.AggShare}
	if r.Outcomes != nil {
		v.Outcomes = make([]outcome, len(r.Outcomes))
	}
	for i, o := range r.Outcomes {
		v.Outcomes[i] = outcome{ID: o.ID.String(), Accepted: o.Accepted,
			Reason: o.Reason}
	}
	if r.Response != nil {
		v.Response = marshalResponse(r.Response)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode result of job %s: %w", r.Job, err)
	}
	return b, nil
}

func marshalResponse(r *aggregation.JobResponse) *response {
	v := &response{Job: r.Job.String()}
	if r.Results != nil {
		v.Results = make([]prepResult, len(r.Results))
	}
	for i, p := range r.Results {
		v.Results[i] = prepResult{ID: p.ID.String(), Messages: p.Messages,
			Reason: p.Reason}
	}
	return v
}

// UnmarshalResult reverses MarshalResult.
func UnmarshalResult(b []byte) (*aggregation.JobResult, error) {
	var v result
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("decode job result: %w", err)
	}
	job, err := parseID(v.Job)
	if err != nil {
		return nil, fmt.Errorf("decode job result: job: %w", err)
	}
	r := &aggregation.JobResult{Job: job, Batch: v.Batch,
		AggShare: v.AggShare}
	if r.Outcomes, err = unmarshalOutcomes(v.Outcomes); err != nil {
		return nil, fmt.Errorf("decode result of job %s: %w", r.Job, err)
	}
	if v.Response != nil {
		r.Response, err = unmarshalResponse(v.Response)
		if err != nil {
			return nil, fmt.Errorf("decode result of job %s: %w", r.Job, err)
		}
	}
	return r, nil
}

func unmarshalOutcomes(in []outcome) ([]aggregation.Outcome, error) {
	if in == nil {
		return nil, nil
	}
	out := make([]aggregation.Outcome, len(in))
	for i, o := range in {
		id, err := parseID(o.ID)
		if err != nil {
			return nil, fmt.Errorf("outcome %d: %w", i, err)
		}
		out[i] = aggregation.Outcome{ID: id, Accepted: o.Accepted,
			Reason: o.Reason}
	}
	return out, nil
}

func unmarshalResponse(v *response) (*aggregation.JobResponse, error) {
	job, err := parseID(v.Job)
	if err != nil {
		return nil, fmt.Errorf("response job: %w", err)
	}
	r := &aggregation.JobResponse{Job: job}
	if v.Results != nil {
		r.Results = make([]aggregation.PrepResult, len(v.Results))
	}
	for i, p := range v.Results {
		id, err := parseID(p.ID)
		if err != nil {
			return nil, fmt.Errorf("response result %d: %w", i, err)
		}
		r.Results[i] = aggregation.PrepResult{ID: id, Messages: p.Messages,
			Reason: p.Reason}
	}
	return r, nil
}

var errIDHex = errors.New("id is not 32 hex digits")

func parseID(s string) ([idLen]byte, error) {
	var id [idLen]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != idLen {
		return id, errIDHex
	}
	copy(id[:], b)
	return id, nil
}

// JoinNames encodes a list of names, like an account's roles or a
// release's companies, as a JSON array: readable in a SQL shell, and
// safe for names holding any character.
func JoinNames(names []string) string {
	if names == nil {
		names = []string{}
	}
	b, _ := json.Marshal(names) // a []string always encodes
	return string(b)
}

// SplitNames reverses JoinNames.
func SplitNames(s string) ([]string, error) {
	var names []string
	if err := json.Unmarshal([]byte(s), &names); err != nil {
		return nil, fmt.Errorf("decode name list: %w", err)
	}
	if names == nil {
		return nil, errors.New("decode name list: null, want an array")
	}
	return names, nil
}
