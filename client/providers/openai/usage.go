package openai

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/infermargin/infermargin/client/providers/fetch"
)

const usagePath = "/v1/organization/usage/completions"

// usageLimit is the most daily buckets the usage endpoint returns in a
// page (1 to 31, 7 by default).
const usageLimit = 31

// Tokens is one model's completions usage on one UTC day. The
// collector shows it on the founder's own machine next to the costs;
// it is not a cost and never leaves the machine.
type Tokens struct {
	Start, End time.Time
	Model      string
	// Input counts all input tokens, CachedInput those of them read
	// from the cache.
	Input, CachedInput, Output int64
	Requests                   int64
}

// Usage returns completions token counts per UTC day and model from
// start (inclusive) to end (exclusive). Days without usage have no
// entry. The key is checked with CheckKey before anything is sent.
func (c *Client) Usage(ctx context.Context, start, end time.Time) (
	[]Tokens, error) {
	if err := CheckKey(string(c.AdminKey)); err != nil {
		return nil, err
	}
	if !end.After(start) {
		return nil, fmt.Errorf("openai usage: end %s is not after start %s",
			end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	q := url.Values{
		"start_time":   {strconv.FormatInt(start.Unix(), 10)},
		"end_time":     {strconv.FormatInt(end.Unix(), 10)},
		"bucket_width": {"1d"},
		"group_by":     {"model"},
		"limit":        {strconv.Itoa(usageLimit)},
	}
	var out []Tokens
	err := c.fetcher().Pages(ctx, usagePath, q,
		func(body []byte) (fetch.Cursor, error) {
			var p usagePage
			if err := fetch.Decode(body, &p); err != nil {
				return fetch.Cursor{}, err
			}
			out = append(out, p.tokens()...)
			return p.Cursor, nil
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// usagePage is one page of GET /v1/organization/usage/completions.
type usagePage struct {
	fetch.Cursor
	Data []struct {
		StartTime int64 `json:"start_time"`
		EndTime   int64 `json:"end_time"`
		Results   []struct {
			Model       string `json:"model"`
			Input       int64  `json:"input_tokens"`
			CachedInput int64  `json:"input_cached_tokens"`
			Output      int64  `json:"output_tokens"`
			Requests    int64  `json:"num_model_requests"`
		} `json:"results"`
	} `json:"data"`
}

func (p *usagePage) tokens() []Tokens {
	var out []Tokens
	for _, b := range p.Data {
		for _, r := range b.Results {
			out = append(out, Tokens{Start: unix(b.StartTime),
				End: unix(b.EndTime), Model: r.Model, Input: r.Input,
				CachedInput: r.CachedInput, Output: r.Output,
				Requests: r.Requests})
		}
	}
	return out
}
