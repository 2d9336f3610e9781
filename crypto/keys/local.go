package keys

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// ErrFileMode reports a local KEK file that group or others may access.
var ErrFileMode = errors.New(
	"key file must not be accessible by group or others (chmod 600)")

// GenerateLocalKEK creates a fresh AES-256-GCM keyset and writes it to
// path as cleartext Tink JSON, with mode 0600. It refuses to overwrite an
// existing file, so a slip cannot destroy the key to existing keysets.
// The file is for development and demos only; see the package comment.
func GenerateLocalKEK(path string) error {
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return fmt.Errorf("generate local kek: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("generate local kek: %w", err)
	}

	err = insecurecleartextkeyset.Write(h, keyset.NewJSONWriter(f))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("generate local kek %q: %w", path, err)
	}
	return nil
}

// LoadLocalKEK reads a keyset written by GenerateLocalKEK and returns it
// as a KEK. It refuses a file whose mode grants group or others any
// access, with an error wrapping ErrFileMode that names the path and the
// mode. Any Tink AEAD keyset is accepted, so the file's keyset can be
// rotated with Tink's tools.
//
// The mode check assumes POSIX permissions; it does not inspect ACLs.
func LoadLocalKEK(path string) (KEK, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load local kek: %w", err)
	}
	defer f.Close()

	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("load local kek: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("load local kek %q: not a regular file",
			path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("load local kek %q: mode %04o: %w",
			path, perm, ErrFileMode)
	}

	b, err := readLimited(f)
	if err != nil {
		return nil, fmt.Errorf("load local kek %q: %w", path, err)
	}
	return parseLocalKEK(path, b)
}

func parseLocalKEK(path string, b []byte) (KEK, error) {
	r := keyset.NewJSONReader(bytes.NewReader(b))
	h, err := insecurecleartextkeyset.Read(r)
	if err != nil {
		return nil, fmt.Errorf("load local kek %q: %w", path, err)
	}
	a, err := aead.New(h)
	if err != nil {
		return nil, fmt.Errorf("load local kek %q: %w", path, err)
	}
	return &localKEK{a: a}, nil
}

// localKEK wraps the Tink AEAD so that printing or comparing the KEK
// cannot reach the key.
type localKEK struct {
	_ [0]func()
	a tink.AEAD
}

// Encrypt encrypts plaintext, authenticating associatedData.
func (k *localKEK) Encrypt(plaintext, associatedData []byte) ([]byte, error) {
	return k.a.Encrypt(plaintext, associatedData)
}

// Decrypt decrypts ciphertext, checking associatedData.
func (k *localKEK) Decrypt(ciphertext, associatedData []byte) ([]byte, error) {
	return k.a.Decrypt(ciphertext, associatedData)
}

// String returns a placeholder that reveals nothing about the key.
func (k *localKEK) String() string { return "keys.LocalKEK(redacted)" }

// GoString is String, so %#v is redacted too.
func (k *localKEK) GoString() string { return k.String() }
