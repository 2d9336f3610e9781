package collect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/infermargin/infermargin/client/secrets"
	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/infermargin/infermargin/crypto/sign"
)

// TransitScheme starts a kek setting that names a Vault Transit key,
// vault-transit://MOUNT/KEY, instead of a local key file. The key
// never leaves Vault; the collector's Vault settings say how to reach
// it.
const TransitScheme = "vault-transit://"

// ErrKEKRef marks a kek setting that starts with TransitScheme but
// does not name a mount and a key.
var ErrKEKRef = errors.New("want vault-transit://MOUNT/KEY")

// IsTransit reports whether a kek setting names a Vault Transit key.
func IsTransit(kek string) bool {
	return strings.HasPrefix(kek, TransitScheme)
}

// ParseTransit splits a vault-transit://MOUNT/KEY setting into the
// Transit mount, which may hold slashes, and the key name, its last
// segment.
func ParseTransit(kek string) (mount, key string, err error) {
	rest, ok := strings.CutPrefix(kek, TransitScheme)
	i := strings.LastIndexByte(rest, '/')
	if !ok || i <= 0 || i == len(rest)-1 {
		return "", "", fmt.Errorf("kek %q: %w", kek, ErrKEKRef)
	}
	mount, key = rest[:i], rest[i+1:]
	if slices.Contains(strings.Split(mount, "/"), "") {
		return "", "", fmt.Errorf("kek %q: %w", kek, ErrKEKRef)
	}
	return mount, key, nil
}

// OpenKEK returns the key-encryption key a kek setting names: the
// Transit key of a vault-transit:// setting, reached through r, or
// else the local key file at that path (mode 0600).
func OpenKEK(ctx context.Context, kek string, r *secrets.Resolver) (
	keys.KEK, error) {
	if !IsTransit(kek) {
		return keys.LoadLocalKEK(kek)
	}
	mount, key, err := ParseTransit(kek)
	if err != nil {
		return nil, err
	}
	c, err := r.Client(ctx)
	if err != nil {
		return nil, err
	}
	return secrets.TransitKEK{Client: c, Mount: mount, Key: key}, nil
}

// Signer reads the company's signing key: the keyset at
// aggregators.signing_key, decrypted under aggregators.kek with
// SigningPurpose of aggregators.company as associated data. It is what
// signs reports, enrollments and the requests of the dashboard.
func (c *Config) Signer(ctx context.Context) (*sign.Signer, error) {
	a := c.Aggregators
	if a == nil {
		return nil, errors.New("aggregators: missing")
	}
	kek, err := OpenKEK(ctx, a.KEK, c.resolver())
	if err != nil {
		return nil, fmt.Errorf("aggregators.kek: %w", err)
	}
	f, err := os.Open(a.SigningKey)
	if err != nil {
		return nil, fmt.Errorf("aggregators.signing_key: %w", err)
	}
	defer f.Close()
	h, err := keys.ReadEncrypted(f, kek, SigningPurpose(a.Company))
	if err != nil {
		return nil, fmt.Errorf("aggregators.signing_key: %w", err)
	}
	return sign.SignerFromHandle(h)
}
