package enroll

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/server/api"
)

// maxAnswer bounds a node's answer; an enrollment or a report is a few
// kilobytes.
const maxAnswer = 1 << 20

// NewRequest builds q's enrollment request for the key of s, signed
// with that key as sign.KindEnrollment over SignedBytes, which proves
// the sender holds the key it registers.
func NewRequest(q *Questionnaire, s *sign.Signer) (
	*api.EnrollmentRequest, error) {
	v, err := s.Verifier()
	if err != nil {
		return nil, err
	}
	pub, err := v.MarshalBinary()
	if err != nil {
		return nil, err
	}
	r := &api.EnrollmentRequest{Company: q.Company,
		Key: api.EncodeKey(pub), Answers: q.Answers}
	sig, err := s.Sign(sign.KindEnrollment, r.SignedBytes())
	if err != nil {
		return nil, fmt.Errorf("sign enrollment: %w", err)
	}
	r.Signature = base64.StdEncoding.EncodeToString(sig)
	return r, nil
}

// Node is one aggregator as a company speaks to it: enrollment, and
// reads signed with the company's key. Requests carry the company id,
// the time and the signature, never a metric.
type Node struct {
	// Role names the node in errors, "leader" or "helper".
	Role string
	// URL is the node's base URL.
	URL string
	// Company and Signer sign the requests.
	Company string
	Signer  *sign.Signer
	// HTTP sends the requests; nil means a client with a 30-second
	// timeout.
	HTTP *http.Client
	// Now is the clock signatures are dated by; nil means time.Now.
	Now func() time.Time
}

// Enroll sends r to n and returns the enrollment as n holds it: 201
// for a new one, 200 for an identical resubmission.
func (n *Node) Enroll(ctx context.Context, r *api.EnrollmentRequest) (
	*api.Enrollment, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	req, err := n.request(ctx, http.MethodPost, "/v1/enrollments",
		bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	var e api.Enrollment
	if err := n.do(req, &e, http.StatusCreated, http.StatusOK); err != nil {
		return nil, fmt.Errorf("enroll with %s: %w", n.Role, err)
	}
	return &e, nil
}

// Status returns the company's enrollment as n holds it, asked with a
// signed request.
func (n *Node) Status(ctx context.Context) (*api.Enrollment, error) {
	var e api.Enrollment
	err := n.Get(ctx, "/v1/enrollments/"+url.PathEscape(n.Company), &e)
	if err != nil {
		return nil, fmt.Errorf("enrollment status at %s: %w", n.Role, err)
	}
	return &e, nil
}

// Get sends a GET of path (with its query) signed as n.Company, see
// api.SignRequest, and decodes the 200 answer's JSON into out.
func (n *Node) Get(ctx context.Context, path string, out any) error {
	req, err := n.request(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	if n.Signer == nil {
		return errors.New("sign request: no key")
	}
	now := time.Now
	if n.Now != nil {
		now = n.Now
	}
	if err := api.SignRequest(req, n.Company, n.Signer,
		now()); err != nil {
		return err
	}
	return n.do(req, out, http.StatusOK)
}

func (n *Node) request(ctx context.Context, method, path string,
	body io.Reader) (*http.Request, error) {
	u := strings.TrimRight(n.URL, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// do sends req and decodes the answer into out if its status is one
// of ok; any other is the node's error, as api.ParseError reads it.
func (n *Node) do(req *http.Request, out any, ok ...int) error {
	hc := n.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", api.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("%w: %w", api.ErrUnavailable, err)
	}
	if len(raw) > maxAnswer {
		return fmt.Errorf("answer over %d bytes", maxAnswer)
	}
	if !slices.Contains(ok, resp.StatusCode) {
		return api.ParseError(resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode answer of %s: %w", req.URL.Path, err)
	}
	return nil
}
