// Package secrets resolves secret references: a secret is named where
// it is kept, never written as a value in a flag or a config file.
//
//	vault://mount/path#field  the field of the latest version of the
//	                          KV version 2 secret at path on mount
//	env://NAME                the environment variable NAME
//	                          (development)
//	file:///path              the file's contents, trailing newline
//	                          removed; the file must not be readable
//	                          by group or others
//
// Resolve reaches Vault as VAULT_ADDR and VAULT_TOKEN say; a Resolver
// is configured instead, and may log in with AppRole. TransitKEK keeps
// the key-encryption key of crypto/keys in Vault Transit.
//
// A resolved secret is never put in an error or a log line, nor is a
// Vault token; errors name the reference and what is wrong, and wrap
// ErrReference, ErrNotFound, ErrNoField, ErrPermission or
// ErrUnreachable. Nothing is cached on disk. The package does not
// renew tokens, write secrets or manage Vault.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

var (
	// ErrReference marks a reference that is malformed or names
	// nothing.
	ErrReference = errors.New("bad secret reference")
	// ErrNotFound marks a Vault secret, version or mount that does
	// not exist.
	ErrNotFound = errors.New("not found in vault")
	// ErrNoField marks a Vault secret without the field named, or
	// whose field is not a non-empty string.
	ErrNoField = errors.New("no such field in vault secret")
	// ErrPermission marks a token or AppRole login that Vault refused.
	ErrPermission = errors.New("vault permission denied")
	// ErrUnreachable marks a Vault that did not answer.
	ErrUnreachable = errors.New("vault unreachable")
)

// maxFile bounds a secret file; secrets are tokens and keys, not data.
const maxFile = 64 << 10

// Resolve returns the secret ref names. A vault:// reference goes
// through a Resolver built from the environment for this one call, so
// prefer a Resolver of one's own to resolve several.
func Resolve(ctx context.Context, ref string) (string, error) {
	return NewResolver(VaultConfig{}).Resolve(ctx, ref)
}

// resolveLocal resolves the references that need no Vault.
func resolveLocal(ref string) (string, error) {
	scheme, rest, ok := strings.Cut(ref, "://")
	if !ok || rest == "" {
		return "", fmt.Errorf("secret %q: want vault://mount/path#field,"+
			" env://NAME or file:///path: %w", redact(ref), ErrReference)
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
