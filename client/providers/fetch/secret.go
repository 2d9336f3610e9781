package fetch

import (
	"fmt"
	"io"
	"log/slog"
)

const redacted = "[redacted]"

// Secret is a credential that does not print: fmt (every verb),
// encoding/json, encoding.TextMarshaler users and log/slog all see
// "[redacted]". Only string(s), where the key is sent, reveals it, so a
// Client printed by mistake in a log line or an error shows no key.
type Secret string

// Format implements fmt.Formatter.
func (Secret) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, redacted)
}

// MarshalText implements encoding.TextMarshaler.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
