package fetch

import (
	"context"
	"fmt"
	"maps"
	"net/url"
)

// maxPages stops a chain of cursors that never ends. At 31 days a
// page it is more than 80 years of daily buckets.
const maxPages = 1000

// Cursor is how OpenAI's and Anthropic's list endpoints say what
// follows a page. Embed it in a page's struct to decode it.
type Cursor struct {
	HasMore  bool   `json:"has_more"`
	NextPage string `json:"next_page"`
}

// Pages GETs path with q, then again with the "page" parameter set to
// each next_page token, exactly as received, for as long as has_more
// is true. It hands each body to read, which decodes it, keeps what it
// needs and returns the page's cursor.
//
// A page that says has_more with no token, or a token seen before, is
// an error rather than a loop, so the collector can never count a page
// twice or spin.
func (c *Client) Pages(ctx context.Context, path string, q url.Values,
	read func(body []byte) (Cursor, error)) error {
	q = maps.Clone(q)
	if q == nil {
		q = url.Values{}
	}
	seen := map[string]bool{}
	for n := 1; ; n++ {
		body, err := c.Get(ctx, path, q)
		if err != nil {
			return err
		}
		cur, err := read(body)
		if err != nil {
			return fmt.Errorf("%s %s: page %d: %w", c.Provider, path, n,
				err)
		}
		if !cur.HasMore {
			return nil
		}
		if err := next(cur.NextPage, seen, n); err != nil {
			return fmt.Errorf("%s %s: page %d: %w", c.Provider, path, n,
				err)
		}
		q.Set("page", cur.NextPage)
	}
}

func next(tok string, seen map[string]bool, n int) error {
	switch {
	case tok == "":
		return fmt.Errorf("%w: has_more without next_page", ErrMalformed)
	case seen[tok]:
		return fmt.Errorf("%w: next_page repeats an earlier page",
			ErrMalformed)
	case n >= maxPages:
		return fmt.Errorf("%w: more than %d pages", ErrMalformed,
			maxPages)
	}
	seen[tok] = true
	return nil
}
