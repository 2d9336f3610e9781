// Package adminclient calls one aggregator node's admin API on behalf
// of an operator account: enrollments, cohorts, reassignments,
// accounts, the audit table and batches. `infermargin admin` is built
// on it.
//
// It speaks the JSON of package api and turns an error answer into an
// error that errors.Is can test against aggregation's sentinels. It
// holds the account's bearer token but never puts it in an error, and
// it does not decide anything a node decides: a call the node refuses
// comes back with the node's code and words.
package adminclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/infermargin/infermargin/server/api"
)

// ErrToken marks a token that cannot be sent in an Authorization header:
// empty, or holding spaces or control characters.
var ErrToken = errors.New("not a usable bearer token")

// maxAnswer bounds an answer read from a node. The largest, a long
// audit page or a published report, is well under it.
const maxAnswer = 16 << 20

// Client is an operator account calling one node. URL is the node's
// base URL, like http://127.0.0.1:8080; Token is the account's bearer
// token; HC is the HTTP client, nil meaning one with a one-minute
// timeout.
type Client struct {
	URL   string
	Token string
	HC    *http.Client
}

// do sends in as JSON, when not nil, to path and decodes the answer
// into out, when not nil. The error names the method and path, never
// the token.
func (c *Client) do(ctx context.Context, method, path string, in,
	out any) error {
	if err := checkToken(c.Token); err != nil {
		return err
	}
	req, err := c.request(ctx, method, path, in)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()

	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %w", method, path,
			api.ParseError(resp.StatusCode, raw))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: answer is not the expected JSON: %w",
			method, path, err)
	}
	return nil
}

func (c *Client) request(ctx context.Context, method, path string,
	in any) (*http.Request, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method,
		strings.TrimRight(c.URL, "/")+path, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	return req, nil
}

func (c *Client) client() *http.Client {
	if c.HC != nil {
		return c.HC
	}
	return &http.Client{Timeout: time.Minute}
}

// checkToken refuses a token the HTTP client would refuse, so that its
// error, which might quote the header, is never reached.
func checkToken(t string) error {
	if t == "" {
		return fmt.Errorf("token: empty: %w", ErrToken)
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] == 0x7f {
			return fmt.Errorf("token: holds a space or control "+
				"character: %w", ErrToken)
		}
	}
	return nil
}

// withQuery appends the non-empty values of q to path.
func withQuery(path string, q url.Values) string {
	for k, vs := range q {
		if len(vs) == 0 || vs[0] == "" {
			delete(q, k)
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
