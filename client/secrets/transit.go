package secrets

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/hashicorp/vault/api"
)

// TransitKEK is a key-encryption key kept in Vault Transit: it
// satisfies keys.KEK in crypto/keys, which may not import Vault, so it
// lives here. The key never leaves Vault; each call is one request.
//
// Associated data goes to Transit as associated_data, which Vault
// authenticates with the AEAD key types, aes256-gcm96 among them,
// since Vault 1.13. An older Vault ignores parameters it does not
// know and says so in a warning; Encrypt and Decrypt fail on that
// warning, so a keyset is never sealed without its binding. Binding
// the data ourselves (a length-prefixed copy in the plaintext) would
// also work on old servers, but would make our ciphertexts differ
// from plain Transit ones for no gain on a current Vault.
//
// The methods take no context, as keys.KEK has none; the client's
// timeout (60s unless VAULT_CLIENT_TIMEOUT says otherwise) bounds
// each request.
//
// The key must exist and be of an AEAD type: aes256-gcm96, Transit's
// default, aes128-gcm96 or chacha20-poly1305. Give the collector's policy
// the update capability on transit/encrypt/KEY and
// transit/decrypt/KEY but not create, or a mistyped key name makes
// Transit create a new key instead of failing.
type TransitKEK struct {
	// Client is a logged-in client, such as Resolver.Client returns.
	Client *api.Client
	// Mount is where Transit is enabled; empty means "transit".
	Mount string
	// Key is the name of the Transit key.
	Key string
}

// Encrypt encrypts plaintext with associatedData bound to it and
// returns Transit's ciphertext, "vault:vN:..." as bytes, N the key
// version.
func (k TransitKEK) Encrypt(plaintext, associatedData []byte) ([]byte, error) {
	body := k.body(associatedData)
	body["plaintext"] = base64.StdEncoding.EncodeToString(plaintext)
	d, err := k.call("encrypt", body)
	if err != nil {
		return nil, err
	}
	ct, ok := d["ciphertext"].(string)
	if !ok || !strings.HasPrefix(ct, "vault:v") {
		return nil, k.errorf("encrypt", "no ciphertext in the answer")
	}
	return []byte(ct), nil
}

// Decrypt decrypts a ciphertext of Encrypt made with the same key and
// associatedData; Transit refuses any other.
func (k TransitKEK) Decrypt(ciphertext, associatedData []byte) ([]byte, error) {
	if !strings.HasPrefix(string(ciphertext), "vault:v") {
		return nil, k.errorf("decrypt", "not a Transit ciphertext")
	}
	body := k.body(associatedData)
	body["ciphertext"] = string(ciphertext)
	d, err := k.call("decrypt", body)
	if err != nil {
		return nil, err
	}
	s, ok := d["plaintext"].(string)
	if !ok {
		return nil, k.errorf("decrypt", "no plaintext in the answer")
	}
	pt, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, k.errorf("decrypt", "plaintext is not base64")
	}
	return pt, nil
}

func (k TransitKEK) body(associatedData []byte) map[string]any {
	b := map[string]any{}
	if len(associatedData) > 0 {
		b["associated_data"] = base64.StdEncoding.
			EncodeToString(associatedData)
	}
	return b
}

// call sends body to the op endpoint of k's key and returns the
// answer's data.
func (k TransitKEK) call(op string, body map[string]any) (
	map[string]any, error,
) {
	if k.Client == nil || k.Key == "" {
		return nil, k.errorf(op, "no client or no key name")
	}
	mount := k.Mount
	if mount == "" {
		mount = "transit"
	}
	p := mount + "/" + op + "/" + k.Key
	s, err := k.Client.Logical().WriteWithContext(context.Background(),
		p, body)
	if err != nil {
		return nil, fmt.Errorf("transit %s with key %q: %w", op, k.Key,
			vaultError(err))
	}
	if s == nil || s.Data == nil {
		return nil, k.errorf(op, "empty answer")
	}
	if ignored(s, body) {
		return nil, k.errorf(op, "vault ignored a parameter; "+
			"associated_data needs Vault 1.13 or later")
	}
	return s.Data, nil
}

func (k TransitKEK) errorf(op, msg string) error {
	return fmt.Errorf("transit %s with key %q: %s", op, k.Key, msg)
}

// ignored reports whether Vault warned that it ignored a parameter
// named in body.
func ignored(s *api.Secret, body map[string]any) bool {
	for _, w := range s.Warnings {
		if !strings.Contains(w, "ignored") {
			continue
		}
		for p := range body {
			if strings.Contains(w, p) {
				return true
			}
		}
	}
	return false
}
