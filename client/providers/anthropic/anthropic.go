// Package anthropic reads an organization's costs from the Anthropic
// Admin API with an admin key (sk-ant-admin...), for the collector.
//
// It only reads: it sends GET requests to
// /v1/organizations/cost_report and nothing else. It never reads
// prompts or outputs, never writes, and never puts the key or an
// amount in an error; it does not log at all.
package anthropic

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"unicode"

	"github.com/infermargin/infermargin/client/providers/fetch"
)

// DefaultBaseURL is where the API lives.
const DefaultBaseURL = "https://api.anthropic.com"

// Version is the API version sent in the anthropic-version header; the
// cost report's shape is documented against it.
const Version = "2023-06-01"

// keyHelp tells a founder how to get a key that can read costs.
const keyHelp = "create an Admin API key (sk-ant-admin...) in the " +
	"Claude Console under settings, admin keys; only an organization " +
	"admin can, and the collector only reads with it"

// Client reads costs for the organization that owns AdminKey. Its
// zero value, given a key, calls the real API with default retries.
// A Client may be used by several goroutines at once.
type Client struct {
	// BaseURL is the API's scheme and host; empty means
	// DefaultBaseURL. Tests point it at a fake.
	BaseURL string
	// AdminKey is an Admin API key, sk-ant-admin...
	AdminKey fetch.Secret
	// HTTP sends the calls; nil means a client with a one-minute
	// timeout.
	HTTP *http.Client
	// Retry says when to try a call again; its zero value is polite.
	Retry fetch.Retry

	calls atomic.Int64
}

// Calls returns how many requests the client has sent, retries
// included, for the collector's report.
func (c *Client) Calls() int64 { return c.calls.Load() }

func (c *Client) fetcher() *fetch.Client {
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	return &fetch.Client{Provider: "anthropic", BaseURL: base,
		Key: c.AdminKey, KeyHeader: "X-Api-Key",
		Header:   http.Header{"Anthropic-Version": {Version}},
		AuthHint: keyHelp, HTTP: c.HTTP, Retry: c.Retry, Calls: &c.calls}
}

// CheckKey returns nil if key looks like an Admin API key, and
// otherwise an error wrapping fetch.ErrKeyKind that names the kind of
// key it is (never the key) and how to create an admin key.
func CheckKey(key string) error {
	kind := keyKind(key)
	if kind == "" {
		return nil
	}
	return fmt.Errorf("anthropic: %s: %w: %s", kind, fetch.ErrKeyKind,
		keyHelp)
}

// keyKind names what key is if it is not an admin key, or returns "".
func keyKind(key string) string {
	switch {
	case key == "":
		return "no key given"
	case strings.ContainsFunc(key, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}):
		return "the key holds spaces or line breaks"
	case strings.HasPrefix(key, "sk-ant-admin"):
		return ""
	case strings.HasPrefix(key, "sk-ant-api"):
		return "a standard API key (sk-ant-api...)"
	case strings.HasPrefix(key, "sk-ant-"):
		return "an Anthropic key that is not an admin key (sk-ant-...)"
	case strings.HasPrefix(key, "sk-"):
		return "an OpenAI key (sk-...)"
	}
	return "a value that is not an Anthropic key"
}
