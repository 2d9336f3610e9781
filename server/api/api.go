// Package api is the JSON an aggregator node speaks over HTTP: uploads
// and receipts for companies, jobs and share requests between the two
// aggregators, published reports for the public, and the error
// envelope. Package server serves it; companies' uploaders and the
// leader's peer client speak it.
//
// Binary fields travel as standard base64 and ids as hex. Every decoder
// names the field that was wrong, and checks sizes before decoding, so
// an error tells the caller what to fix. It does no I/O and knows
// nothing of Echo.
package api

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/infermargin/infermargin/aggregation"
)

// ErrUnavailable is a call to a node that got no answer: the network
// failed or the node answered 5xx.
var ErrUnavailable = errors.New("aggregator unavailable")

// ErrBase64 marks a field that is not standard base64. Servers answer
// it with the code "bad_base64".
var ErrBase64 = errors.New("not standard base64")

// Error is the body of every error answer: {"error": {...}}.
type Error struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is a short machine-readable code and a sentence for
// people. The message never holds a key, a share or a value.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Batch is a batch id in JSON.
type Batch struct {
	Cohort      string `json:"cohort"`
	Period      string `json:"period"`
	Methodology string `json:"methodology"`
}

// FromBatch converts a batch id.
func FromBatch(b aggregation.BatchID) Batch {
	return Batch{Cohort: b.Cohort, Period: b.Period,
		Methodology: b.Methodology}
}

// ID returns the batch id, checked.
func (b Batch) ID() (aggregation.BatchID, error) {
	id := aggregation.BatchID{Cohort: b.Cohort, Period: b.Period,
		Methodology: b.Methodology}
	return id, id.Validate()
}

// Ref is a batch id in one URL path segment, "cohort@version.period.
// methodology", also the id of its public report. None of the three
// parts can hold a dot, so it reads back unambiguously.
func Ref(b aggregation.BatchID) string {
	return b.Cohort + "." + b.Period + "." + b.Methodology
}

// ParseRef reads a Ref.
func ParseRef(s string) (aggregation.BatchID, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return aggregation.BatchID{}, fmt.Errorf("batch %q: want "+
			"cohort@version.YYYY-MM.methodology: %w", clip(s),
			aggregation.ErrMalformed)
	}
	b := aggregation.BatchID{Cohort: parts[0], Period: parts[1],
		Methodology: parts[2]}
	return b, b.Validate()
}

func decode64(field, s string, max int) ([]byte, error) {
	if base64.StdEncoding.DecodedLen(len(s)) > max {
		return nil, fmt.Errorf("%s: more than %d bytes: %w", field, max,
			aggregation.ErrMalformed)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, ErrBase64)
	}
	return b, nil
}

func decodeList(field string, in []string, maxLen, max int) ([][]byte,
	error) {
	if len(in) > maxLen {
		return nil, fmt.Errorf("%s: %d entries, at most %d: %w", field,
			len(in), maxLen, aggregation.ErrMalformed)
	}
	if len(in) == 0 {
		return nil, nil
	}
	out := make([][]byte, len(in))
	for i, s := range in {
		var err error
		name := fmt.Sprintf("%s[%d]", field, i)
		if out[i], err = decode64(name, s, max); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func encodeList(in [][]byte) []string {
	out := make([]string, len(in))
	for i, b := range in {
		out[i] = base64.StdEncoding.EncodeToString(b)
	}
	return out
}

func enc(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func decodeHex(field string, s string, out []byte) error {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(out) {
		return fmt.Errorf("%s %q: want %d hex digits: %w", field, clip(s),
			2*len(out), aggregation.ErrMalformed)
	}
	copy(out, b)
	return nil
}

// clip shortens a caller's input quoted in an error.
func clip(s string) string { return clipTo(s, 80) }

// maxMessage bounds an error message read from a node.
const maxMessage = 1000

func clipTo(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// EncodeKey encodes a public key for an enrollment request.
func EncodeKey(b []byte) string { return enc(b) }

// DecodeKey decodes the public key of an enrollment request.
func DecodeKey(s string) ([]byte, error) { return decode64("key", s, maxSmall) }

// DecodeSignature reads a base64 signature.
func DecodeSignature(s string) ([]byte, error) {
	return decode64("signature", s, maxSmall)
}

// ParseError rebuilds the error a node answered with, so that the
// caller can test it with errors.Is against aggregation's sentinels. A
// 5xx is ErrUnavailable.
func ParseError(status int, body []byte) error {
	var e Error
	_ = json.Unmarshal(body, &e)
	// The message is the node's sentence for people, kept whole up to
	// a bound: a refusal such as the differencing guard's explains
	// itself at some length.
	msg := fmt.Sprintf("%d %s: %s", status, clip(e.Error.Code),
		clipTo(e.Error.Message, maxMessage))
	if status >= 500 {
		return fmt.Errorf("%s: %w", msg, ErrUnavailable)
	}
	if s := aggregation.ErrorOf(e.Error.Code); s != nil {
		return fmt.Errorf("%s: %w", msg, s)
	}
	return errors.New(msg)
}
