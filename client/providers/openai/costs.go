package openai

import (
	"context"
	"fmt"
	"math/big"
	"net/url"
	"strconv"
	"time"

	"github.com/infermargin/infermargin/client/providers/cost"
	"github.com/infermargin/infermargin/client/providers/fetch"
)

const costsPath = "/v1/organization/costs"

// costsLimit is the most buckets the costs endpoint returns in a page
// (1 to 180, 7 by default), so a month takes one call.
const costsLimit = 180

// Costs returns the organization's costs per UTC day from start
// (inclusive) to end (exclusive), in dollars. A day's results are
// summed per currency into one bucket, so a day has one bucket per
// currency it was billed in; a day with no cost has no bucket.
//
// The key is checked with CheckKey before anything is sent.
func (c *Client) Costs(ctx context.Context, start, end time.Time) (
	[]cost.Bucket, error) {
	if err := CheckKey(string(c.AdminKey)); err != nil {
		return nil, err
	}
	if !end.After(start) {
		return nil, fmt.Errorf("openai costs: end %s is not after start %s",
			end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	q := url.Values{
		"start_time":   {strconv.FormatInt(start.Unix(), 10)},
		"end_time":     {strconv.FormatInt(end.Unix(), 10)},
		"bucket_width": {"1d"},
		"limit":        {strconv.Itoa(costsLimit)},
	}
	var out []cost.Bucket
	seen := map[int64]bool{}
	err := c.fetcher().Pages(ctx, costsPath, q,
		func(body []byte) (fetch.Cursor, error) {
			p, err := decodeCosts(body)
			if err != nil {
				return fetch.Cursor{}, err
			}
			bs, err := p.buckets(seen)
			out = append(out, bs...)
			return p.Cursor, err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// costsPage is one page of GET /v1/organization/costs.
type costsPage struct {
	fetch.Cursor
	Data []costsBucket `json:"data"`
}

type costsBucket struct {
	StartTime *int64        `json:"start_time"`
	EndTime   *int64        `json:"end_time"`
	Results   []costsResult `json:"results"`
}

type costsResult struct {
	Amount *struct {
		Value    cost.Decimal `json:"value"`
		Currency string       `json:"currency"`
	} `json:"amount"`
}

// decodeCosts decodes a page and checks every field Costs relies on.
func decodeCosts(body []byte) (*costsPage, error) {
	var p costsPage
	if err := fetch.Decode(body, &p); err != nil {
		return nil, err
	}
	for i, b := range p.Data {
		if b.StartTime == nil || b.EndTime == nil ||
			*b.EndTime <= *b.StartTime {
			return nil, fmt.Errorf("%w: bucket %d: bad start_time or "+
				"end_time", fetch.ErrMalformed, i)
		}
		for j, r := range b.Results {
			if r.Amount == nil || r.Amount.Value.Rat() == nil {
				return nil, fmt.Errorf("%w: bucket %d result %d: no "+
					"amount", fetch.ErrMalformed, i, j)
			}
		}
	}
	return &p, nil
}

// buckets sums each bucket's results per currency. seen holds the
// start of every bucket already read; a bucket that comes twice is an
// error, not a cost counted twice.
func (p *costsPage) buckets(seen map[int64]bool) ([]cost.Bucket, error) {
	var out []cost.Bucket
	for _, b := range p.Data {
		if seen[*b.StartTime] {
			return nil, fmt.Errorf("%w: bucket at %d comes twice",
				fetch.ErrMalformed, *b.StartTime)
		}
		seen[*b.StartTime] = true
		sums := map[string]*big.Rat{}
		for _, r := range b.Results {
			cur, err := cost.Currency(r.Amount.Currency)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", fetch.ErrMalformed, err)
			}
			cost.Add(sums, cur, r.Amount.Value.Rat())
		}
		out = append(out, cost.Buckets(unix(*b.StartTime),
			unix(*b.EndTime), sums)...)
	}
	return out, nil
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }
