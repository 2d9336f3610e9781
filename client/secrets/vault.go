package secrets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/vault/api"
)

// VaultConfig says how a Resolver reaches and logs in to Vault. Its
// zero value reads VAULT_ADDR and VAULT_TOKEN.
type VaultConfig struct {
	// Addr is Vault's address. Empty means VAULT_ADDR, and without it
	// the vault/api default, https://127.0.0.1:8200. The other
	// VAULT_* variables of vault/api (VAULT_CACERT, VAULT_MAX_RETRIES,
	// ...) apply as well.
	Addr string

	// TokenRef is an env:// or file:// reference to the token to use
	// when no AppRole is configured. Empty means env://VAULT_TOKEN.
	TokenRef string

	// RoleIDFile and SecretIDFile name the files holding an AppRole's
	// role id and secret id. Set both to log in with AppRole instead
	// of a token; like file:// secrets, they must not be readable by
	// group or others.
	RoleIDFile, SecretIDFile string

	// AppRoleMount is where AppRole is enabled; empty means "approle".
	AppRoleMount string
}

// Resolver resolves secret references, vault:// ones through the
// Vault its config names. It logs in on the first vault:// reference
// and keeps the client and its token in memory only. A Resolver is
// safe for concurrent use.
//
// The token is not renewed: a Resolver serves a run of the collector,
// minutes long, not a daemon.
type Resolver struct {
	cfg VaultConfig

	mu     sync.Mutex
	client *api.Client
}

// NewResolver returns a Resolver that uses cfg when it meets a
// vault:// reference. It does not contact Vault.
func NewResolver(cfg VaultConfig) *Resolver {
	return &Resolver{cfg: cfg}
}

// Resolve returns the secret ref names: a vault:// reference through
// r's Vault, env:// and file:// as the package-level Resolve does.
func (r *Resolver) Resolve(ctx context.Context, ref string) (string, error) {
	rest, ok := strings.CutPrefix(ref, "vault://")
	if !ok {
		return resolveLocal(ref)
	}
	v, err := parseVaultRef(rest)
	if err != nil {
		return "", fmt.Errorf("secret %q: %w", ref, err)
	}
	s, err := r.readKV(ctx, v)
	if err != nil {
		return "", fmt.Errorf("secret %q: %w", ref, err)
	}
	return s, nil
}

// Client returns r's Vault client, logged in, for other uses of the
// same Vault such as TransitKEK.
func (r *Resolver) Client(ctx context.Context) (*api.Client, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.client != nil {
		return r.client, nil
	}
	c, err := r.login(ctx)
	if err != nil {
		return nil, err
	}
	r.client = c
	return c, nil
}

// Ping checks that Vault answers and accepts r's token, by looking
// the token up, so a run can fail before it fetches anything.
func (r *Resolver) Ping(ctx context.Context) error {
	c, err := r.Client(ctx)
	if err != nil {
		return err
	}
	if _, err := c.Auth().Token().LookupSelfWithContext(ctx); err != nil {
		return fmt.Errorf("vault token lookup: %w", vaultError(err))
	}
	return nil
}

// vaultRef is a parsed vault://mount/path#field reference.
type vaultRef struct {
	mount, path, field string
}

// parseVaultRef parses what follows "vault://". The mount is the
// first segment: references cannot name a mount whose path has a
// slash in it.
func parseVaultRef(s string) (vaultRef, error) {
	loc, field, ok := strings.Cut(s, "#")
	mount, path, _ := strings.Cut(loc, "/")
	if !ok || field == "" || mount == "" || path == "" {
		return vaultRef{}, fmt.Errorf("want vault://mount/path#field: %w",
			ErrReference)
	}
	seg := strings.Split(path, "/")
	if slices.Contains(seg, "") || slices.Contains(seg, ".") ||
		slices.Contains(seg, "..") {
		return vaultRef{}, fmt.Errorf("empty, . or .. segment in "+
			"path: %w", ErrReference)
	}
	return vaultRef{mount, path, field}, nil
}

// readKV reads the field of v's KV version 2 secret.
func (r *Resolver) readKV(ctx context.Context, v vaultRef) (string, error) {
	c, err := r.Client(ctx)
	if err != nil {
		return "", err
	}
	s, err := c.KVv2(v.mount).Get(ctx, v.path)
	if err != nil {
		return "", vaultError(err)
	}
	if s.Data == nil {
		return "", fmt.Errorf("%w (latest version deleted)",
			ErrNotFound)
	}

	f, ok := s.Data[v.field]
	if !ok {
		return "", fmt.Errorf("field %q: %w", v.field, ErrNoField)
	}
	str, ok := f.(string)
	if !ok || str == "" {
		return "", fmt.Errorf("field %q: not a non-empty string: %w",
			v.field, ErrNoField)
	}
	return str, nil
}

// vaultError turns what vault/api returns into an error of ours that
// wraps ErrNotFound, ErrPermission or ErrUnreachable where one fits.
// It keeps Vault's messages, which name paths, not secrets, and drops
// the rest of vault/api's multi-line text.
func vaultError(err error) error {
	var re *api.ResponseError
	var ue *url.Error
	switch {
	case errors.As(err, &re):
		return responseError(re, nil)
	case errors.Is(err, api.ErrSecretNotFound):
		return fmt.Errorf("%w (no such mount or secret)", ErrNotFound)
	case errors.As(err, &ue):
		return fmt.Errorf("%w: %w", ErrUnreachable, ue.Err)
	}
	return err
}

// responseError describes Vault's error answer re, wrapping as the
// sentinel the status calls for; a status not listed wraps as
// fallback, if any.
func responseError(re *api.ResponseError, fallback error) error {
	what := strconv.Itoa(re.StatusCode)
	if len(re.Errors) > 0 && !re.RawError {
		what += ": " + strings.Join(re.Errors, "; ")
	}
	sentinel := fallback
	switch re.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		sentinel = ErrPermission
	case http.StatusNotFound:
		sentinel = ErrNotFound
	}
	if sentinel == nil {
		return fmt.Errorf("vault answered %s", what)
	}
	return fmt.Errorf("%w (vault answered %s)", sentinel, what)
}
