package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/crypto/wire"
)

// The headers of a request signed by a company, the way a member reads
// its cohort's private results: who signs, when (Unix seconds), and
// the signature (base64) of RequestMessage.
const (
	HeaderCompany   = "X-Infermargin-Company"
	HeaderTime      = "X-Infermargin-Time"
	HeaderSignature = "X-Infermargin-Signature"
)

// MaxRequestSkew is how far a signed request's time may be from the
// node's clock. Signed requests only read, so a replay within it reveals
// nothing the company was not already shown.
const MaxRequestSkew = 5 * time.Minute

// RequestMessage is what a company signs, as sign.KindRequest, for a
// request: the method, the path with its query, the company and the
// time, length-prefixed.
func RequestMessage(method, uri, company string, unix int64) []byte {
	var b wire.Builder
	b.AddString(method)
	b.AddString(uri)
	b.AddString(company)
	b.AddUint64(uint64(unix))
	return b.Bytes()
}

// SignRequest signs req as company at now and sets the three headers.
// It signs req.URL.RequestURI(), the path and query the node sees.
func SignRequest(req *http.Request, company string, s *sign.Signer,
	now time.Time) error {
	unix := now.Unix()
	msg := RequestMessage(req.Method, req.URL.RequestURI(), company, unix)
	sig, err := s.Sign(sign.KindRequest, msg)
	if err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	req.Header.Set(HeaderCompany, company)
	req.Header.Set(HeaderTime, strconv.FormatInt(unix, 10))
	req.Header.Set(HeaderSignature, enc(sig))
	return nil
}

// SignedRequest is the signature part of a request, as read from its
// headers and not yet verified.
type SignedRequest struct {
	Company   string
	Time      time.Time
	Signature []byte
}

// ParseSignedRequest reads the three headers from h, naming the one
// missing or malformed.
func ParseSignedRequest(h http.Header) (*SignedRequest, error) {
	company := h.Get(HeaderCompany)
	if company == "" {
		return nil, fmt.Errorf("header %s: missing", HeaderCompany)
	}
	unix, err := strconv.ParseInt(h.Get(HeaderTime), 10, 64)
	if err != nil || unix < 0 {
		return nil, fmt.Errorf("header %s: want Unix seconds",
			HeaderTime)
	}
	sig, err := decode64(HeaderSignature, h.Get(HeaderSignature), maxSmall)
	if err != nil {
		return nil, err
	}
	if len(sig) == 0 {
		return nil, fmt.Errorf("header %s: missing", HeaderSignature)
	}
	return &SignedRequest{Company: company, Time: time.Unix(unix, 0),
		Signature: sig}, nil
}

// Verify checks the signature of a request with method and uri against
// the company's key and the time against now.
func (r *SignedRequest) Verify(method, uri string, key *sign.Verifier,
	now time.Time) error {
	if d := now.Sub(r.Time); d > MaxRequestSkew || d < -MaxRequestSkew {
		return fmt.Errorf("header %s: %s from the node's clock, more "+
			"than %s", HeaderTime, d.Round(time.Second), MaxRequestSkew)
	}
	msg := RequestMessage(method, uri, r.Company, r.Time.Unix())
	if err := key.Verify(sign.KindRequest, msg, r.Signature); err != nil {
		return fmt.Errorf("request signature does not verify with the "+
			"key of company %q", clip(r.Company))
	}
	return nil
}
