package fetch

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode"
)

var (
	// ErrUnavailable marks a call that failed in a way worth retrying,
	// a network failure, a 429 or a 5xx, once the attempts ran out.
	ErrUnavailable = errors.New("provider unavailable")
	// ErrAuth marks a 401 or 403: the key is wrong, revoked, or lacks
	// the admin read scope.
	ErrAuth = errors.New("provider refused the key")
	// ErrMalformed marks an answer that is not what the API documents.
	ErrMalformed = errors.New("malformed answer")
	// ErrKeyKind marks a key of the wrong kind, refused before it is
	// ever sent.
	ErrKeyKind = errors.New("not an admin key")
)

// StatusError is a provider's answer other than 2xx. Message is the
// provider's own error type and message, with anything that looks like
// a key removed.
type StatusError struct {
	Provider string
	Path     string
	Status   int
	// Attempts is how many times the call was tried.
	Attempts int
	Message  string
	// Hint tells how to get a key that works, for a 401 or a 403.
	Hint string
}

func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: status %d", e.Provider, e.Path, e.Status)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.auth() {
		b.WriteString("; the key is missing or lacks the admin read scope")
		if e.Hint != "" {
			b.WriteString(": " + e.Hint)
		}
	}
	return b.String()
}

// Unwrap returns ErrAuth for a 401 or a 403, ErrUnavailable for a 429
// or a 5xx, and nil otherwise.
func (e *StatusError) Unwrap() error {
	switch {
	case e.auth():
		return ErrAuth
	case retryable(e.Status):
		return ErrUnavailable
	}
	return nil
}

func (e *StatusError) auth() bool {
	return e.Status == http.StatusUnauthorized ||
		e.Status == http.StatusForbidden
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// providerError is the error shape OpenAI and Anthropic share.
type providerError struct {
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// maxMessage bounds the provider's text quoted in an error.
const maxMessage = 300

// keyLike matches what OpenAI and Anthropic keys look like, masked or
// not ("sk-admin-****abcd"), so a provider message quoting part of the
// key is cleaned even when the key differs from the one sent.
var keyLike = regexp.MustCompile(`sk-[A-Za-z0-9_*\-]+`)

// message returns the type and message from an error body, cleaned of
// key (and anything key-like) and control characters, and bounded.
func message(body []byte, key Secret) string {
	var pe providerError
	if json.Unmarshal(body, &pe) != nil {
		return ""
	}
	m := pe.Error.Message
	if t := pe.Error.Type; t != "" && m != "" {
		m = t + ": " + m
	} else if t != "" {
		m = t
	}
	return Scrub(m, key, keyLike, "sk-"+redacted)
}

// Scrub readies a provider's own message for an error of ours: it
// replaces key, and anything like matches (a masked or partial key the
// provider quotes back), with mask, turns control characters into
// spaces so the message cannot forge log lines, and bounds its length.
func Scrub(m string, key Secret, like *regexp.Regexp, mask string) string {
	if key != "" {
		m = strings.ReplaceAll(m, string(key), redacted)
	}
	m = like.ReplaceAllString(m, mask)
	m = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, m)
	if r := []rune(m); len(r) > maxMessage {
		m = string(r[:maxMessage]) + "..."
	}
	return m
}

// Decode unmarshals a JSON answer into v. Its errors say where the
// answer is wrong, never what it holds, so no amount reaches an error;
// they wrap ErrMalformed.
func Decode(body []byte, v any) error {
	err := json.Unmarshal(body, v)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return fmt.Errorf("%w: bad JSON at byte %d", ErrMalformed,
			se.Offset)
	case errors.As(err, &te) && te.Field == "":
		return fmt.Errorf("%w: not a JSON object", ErrMalformed)
	case errors.As(err, &te):
		return fmt.Errorf("%w: %s has the wrong JSON type",
			ErrMalformed, te.Field)
	}
	return fmt.Errorf("%w: %w", ErrMalformed, err)
}
