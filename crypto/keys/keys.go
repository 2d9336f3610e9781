// Package keys keeps Tink keysets at rest. A private keyset is written
// only encrypted under a key-encryption key (KEK), with associated data
// that names what the keyset is for, so an encrypted leader HPKE keyset
// cannot be loaded where a helper keyset or a signing keyset is expected.
// A public keyset is written as plain Tink JSON, and reading one refuses
// any keyset that holds secret material.
//
// Vault Transit is the production KEK (in a later package; any tink.AEAD
// satisfies KEK). LoadLocalKEK is the development and demo option: the
// AES-256-GCM key sits in a file in the clear, as a Tink JSON keyset, so
// anyone who can read the file, a backup or a disk image can decrypt
// every keyset it protects; no policy or audit log stands in between,
// and revoking it means re-encrypting everything. It still earns its
// place: `infermargin demo` and a single small node keep their private
// keysets encrypted at rest without running Vault, and the file's mode
// is checked on every load.
//
// The package deliberately does not decide where keysets live (files,
// database rows), what associated data a caller uses, or how keys rotate;
// it does not know HPKE from signatures. Callers own those choices.
package keys

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/tink-crypto/tink-go/v2/key"
	"github.com/tink-crypto/tink-go/v2/keyset"
)

// MaxKeysetSize bounds the bytes read for one keyset, encrypted or
// public. A keyset of ours holds a few keys of a few hundred bytes each;
// the bound only keeps a corrupt or hostile file from exhausting memory.
const MaxKeysetSize = 64 << 10

// KEK is a key-encryption key: an AEAD that encrypts serialized keysets.
// Its method set is that of tink.AEAD, so any Tink AEAD primitive is a
// KEK. Implementations must authenticate associatedData.
type KEK interface {
	Encrypt(plaintext, associatedData []byte) ([]byte, error)
	Decrypt(ciphertext, associatedData []byte) ([]byte, error)
}

// WriteEncrypted encrypts the keyset in h under kek and writes it to w
// as Tink's encrypted-keyset JSON. The JSON also carries, in the clear,
// the keyset's key ids and type URLs, never key material.
//
// associatedData must name the keyset's purpose, for example
// "infermargin/hpke/leader"; ReadEncrypted needs the same bytes. Empty
// associated data is refused, since it would bind the keyset to nothing.
func WriteEncrypted(
	w io.Writer, h *keyset.Handle, kek KEK, associatedData []byte,
) error {
	if h == nil {
		return errors.New("write encrypted keyset: nil keyset")
	}
	if err := checkKEK(kek, associatedData); err != nil {
		return fmt.Errorf("write encrypted keyset: %w", err)
	}
	err := h.WriteWithAssociatedData(
		keyset.NewJSONWriter(w), kek, associatedData)
	if err != nil {
		return fmt.Errorf("write encrypted keyset: %w", err)
	}
	return nil
}

// ReadEncrypted reads a keyset written by WriteEncrypted with the same
// kek and associatedData. It fails if either differs, or if the stored
// bytes were changed.
func ReadEncrypted(
	r io.Reader, kek KEK, associatedData []byte,
) (*keyset.Handle, error) {
	if err := checkKEK(kek, associatedData); err != nil {
		return nil, fmt.Errorf("read encrypted keyset: %w", err)
	}
	b, err := readLimited(r)
	if err != nil {
		return nil, fmt.Errorf("read encrypted keyset: %w", err)
	}
	h, err := keyset.ReadWithAssociatedData(
		keyset.NewJSONReader(bytes.NewReader(b)), kek, associatedData)
	if err != nil {
		return nil, fmt.Errorf("read encrypted keyset: %w", err)
	}
	return h, nil
}

// WritePublic writes the keyset in h to w as cleartext Tink JSON. It
// refuses a keyset that holds private or symmetric key material: take
// the public half first with h.Public.
func WritePublic(w io.Writer, h *keyset.Handle) error {
	if h == nil {
		return errors.New("write public keyset: nil keyset")
	}
	if err := h.WriteWithNoSecrets(keyset.NewJSONWriter(w)); err != nil {
		return fmt.Errorf("write public keyset: %w", err)
	}
	return nil
}

// ReadPublic reads a keyset written by WritePublic. It refuses a keyset
// that holds private or symmetric key material, so a secret pasted where
// a public key belongs is an error rather than a loaded key.
func ReadPublic(r io.Reader) (*keyset.Handle, error) {
	b, err := readLimited(r)
	if err != nil {
		return nil, fmt.Errorf("read public keyset: %w", err)
	}
	h, err := keyset.ReadWithNoSecrets(
		keyset.NewJSONReader(bytes.NewReader(b)))
	if err != nil {
		return nil, fmt.Errorf("read public keyset: %w", err)
	}
	return h, nil
}

func checkKEK(kek KEK, associatedData []byte) error {
	if kek == nil {
		return errors.New("nil key-encryption key")
	}
	if len(associatedData) == 0 {
		return errors.New("empty associated data")
	}
	return nil
}

// readLimited reads all of r, failing if r holds more than
// MaxKeysetSize bytes.
func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxKeysetSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxKeysetSize {
		return nil, fmt.Errorf("keyset over %d bytes", MaxKeysetSize)
	}
	return b, nil
}

// Single returns the key of a keyset that must hold exactly one key, its
// enabled primary. Our keysets never rotate in place: a new key is a new
// keyset, so a keyset of several keys is refused rather than guessed at.
func Single(h *keyset.Handle) (key.Key, error) {
	if n := h.Len(); n != 1 {
		return nil, fmt.Errorf("keyset holds %d keys, want 1", n)
	}
	e, err := h.Primary()
	if err != nil {
		return nil, err
	}
	if e.KeyStatus() != keyset.Enabled {
		return nil, errors.New("key is not enabled")
	}
	return e.Key(), nil
}
