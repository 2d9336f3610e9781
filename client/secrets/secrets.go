// Package secrets resolves secret references: a secret is named where
// it is kept, never written as a value in a flag or a config file.
//
//	env://NAME       the environment variable NAME (development)
//	file:///path     the file's contents, trailing newline removed; the
//	                 file must not be readable by group or others
//
// vault:// references (KV v2) arrive with the collector. A resolved
// secret is never put in an error or a log line; errors name the
// reference only.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrReference marks a reference that is malformed or names nothing.
var ErrReference = errors.New("bad secret reference")

// maxFile bounds a secret file; secrets are tokens and keys, not data.
const maxFile = 64 << 10

// Resolve returns the secret ref names.
func Resolve(_ context.Context, ref string) (string, error) {
	scheme, rest, ok := strings.Cut(ref, "://")
	if !ok || rest == "" {
		return "", fmt.Errorf("secret %q: want env://NAME or file:///path:"+
			" %w", redact(ref), ErrReference)
	}
	switch scheme {
	case "env":
		v, ok := os.LookupEnv(rest)
		if !ok || v == "" {
			return "", fmt.Errorf("secret %q: variable not set: %w", ref,
				ErrReference)
		}
		return v, nil
	case "file":
		return readFile(ref, rest)
	}
	return "", fmt.Errorf("secret %q: unknown scheme %q: %w", redact(ref),
		scheme, ErrReference)
}

func readFile(ref, path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("secret %q: %w", ref, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("secret %q: mode %v lets group or others "+
			"read it (chmod 600): %w", ref, fi.Mode().Perm(), ErrReference)
	}
	if fi.Size() > maxFile {
		return "", fmt.Errorf("secret %q: over %d bytes: %w", ref, maxFile,
			ErrReference)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("secret %q: %w", ref, err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// redact keeps the scheme of something that is not a reference, in
// case a value was pasted where its reference belonged.
func redact(ref string) string {
	if scheme, _, ok := strings.Cut(ref, "://"); ok && len(scheme) < 10 {
		return scheme + "://..."
	}
	return "(not a reference; value withheld)"
}
