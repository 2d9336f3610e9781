package anthropic

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

const costPath = "/v1/organizations/cost_report"

// costLimit is the most daily buckets the cost report returns in a
// page (1 to 31, 7 by default), so a month takes one call.
const costLimit = 31

// cents turns the report's lowest currency units into major units.
var cents = big.NewRat(1, 100)

// Costs returns the organization's costs per UTC day from start
// (inclusive) to end (exclusive), in dollars: the report's amounts are
// cents, divided by 100 exactly. A day's results are summed per
// currency into one bucket, so a day has one bucket per currency it
// was billed in; a day with no cost has no bucket.
//
// The key is checked with CheckKey before anything is sent.
func (c *Client) Costs(ctx context.Context, start, end time.Time) (
	[]cost.Bucket, error) {
	if err := CheckKey(string(c.AdminKey)); err != nil {
		return nil, err
	}
	if !end.After(start) {
		return nil, fmt.Errorf("anthropic costs: end %s is not after "+
			"start %s", end.Format(time.RFC3339),
			start.Format(time.RFC3339))
	}
	q := url.Values{
		"starting_at":  {start.UTC().Format(time.RFC3339)},
		"ending_at":    {end.UTC().Format(time.RFC3339)},
		"bucket_width": {"1d"},
		"limit":        {strconv.Itoa(costLimit)},
	}
	var out []cost.Bucket
	seen := map[time.Time]bool{}
	err := c.fetcher().Pages(ctx, costPath, q,
		func(body []byte) (fetch.Cursor, error) {
			p, err := decodeCost(body)
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

// costPage is one page of GET /v1/organizations/cost_report. Results
// also carry description, cost_type, model and more, which the
// collector does not need.
type costPage struct {
	fetch.Cursor
	Data []costBucket `json:"data"`
}

type costBucket struct {
	StartingAt string       `json:"starting_at"`
	EndingAt   string       `json:"ending_at"`
	Results    []costResult `json:"results"`
	start, end time.Time
}

type costResult struct {
	Currency string       `json:"currency"`
	Amount   cost.Decimal `json:"amount"`
}

// decodeCost decodes a page and checks every field Costs relies on.
func decodeCost(body []byte) (*costPage, error) {
	var p costPage
	if err := fetch.Decode(body, &p); err != nil {
		return nil, err
	}
	for i := range p.Data {
		b := &p.Data[i]
		s, err1 := time.Parse(time.RFC3339, b.StartingAt)
		e, err2 := time.Parse(time.RFC3339, b.EndingAt)
		if err1 != nil || err2 != nil || !e.After(s) {
			return nil, fmt.Errorf("%w: bucket %d: bad starting_at or "+
				"ending_at", fetch.ErrMalformed, i)
		}
		b.start, b.end = s.UTC(), e.UTC()
		for j, r := range b.Results {
			if r.Amount.Rat() == nil {
				return nil, fmt.Errorf("%w: bucket %d result %d: no "+
					"amount", fetch.ErrMalformed, i, j)
			}
		}
	}
	return &p, nil
}

// buckets sums each bucket's results per currency, in dollars. seen
// holds the start of every bucket already read; a bucket that comes
// twice is an error, not a cost counted twice.
func (p *costPage) buckets(seen map[time.Time]bool) ([]cost.Bucket,
	error) {
	var out []cost.Bucket
	for _, b := range p.Data {
		if seen[b.start] {
			return nil, fmt.Errorf("%w: bucket at %s comes twice",
				fetch.ErrMalformed, b.StartingAt)
		}
		seen[b.start] = true
		sums := map[string]*big.Rat{}
		for _, r := range b.Results {
			cur, err := cost.Currency(r.Currency)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", fetch.ErrMalformed, err)
			}
			a := r.Amount.Rat()
			cost.Add(sums, cur, a.Mul(a, cents))
		}
		out = append(out, cost.Buckets(b.start, b.end, sums)...)
	}
	return out, nil
}
