package node

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tink-crypto/tink-go/v2/keyset"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/hpke"
	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/infermargin/infermargin/crypto/sign"
)

// purpose is the associated data a private keyset is encrypted under,
// so a keyset cannot be loaded as another role's or another purpose's.
func purpose(role aggregation.Role, what string) []byte {
	return []byte("infermargin/node/" + role.String() + "/" + what)
}

// GenerateKeys creates a node's keys in dir: a local key-encryption key
// (unless one is there), the HPKE key its input shares are sealed to,
// the key it signs statements and receipts with, and for the leader the
// publisher's key. Private keysets are written encrypted, public ones
// beside them for the other parties. It refuses to overwrite a key.
func GenerateKeys(dir string, role aggregation.Role) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	kekPath := filepath.Join(dir, KEKFile)
	if _, err := os.Stat(kekPath); errors.Is(err, os.ErrNotExist) {
		if err := keys.GenerateLocalKEK(kekPath); err != nil {
			return err
		}
	}
	kek, err := keys.LoadLocalKEK(kekPath)
	if err != nil {
		return err
	}
	if err := newHPKE(dir, kek, role, "share", ShareKeyFile,
		SharePubFile); err != nil {
		return err
	}
	if err := newSigner(dir, kek, role); err != nil {
		return err
	}
	if role != aggregation.Leader {
		return nil
	}
	return newHPKE(dir, kek, role, "publisher", PublisherKeyFile,
		PublisherPubFile)
}

func newHPKE(dir string, kek keys.KEK, role aggregation.Role, what,
	priv, pub string) error {
	k, err := hpke.GenerateKey()
	if err != nil {
		return err
	}
	p, err := k.Public()
	if err != nil {
		return err
	}
	return writePair(dir, kek, purpose(role, what), priv, k.Handle(), pub,
		p.Handle())
}

func newSigner(dir string, kek keys.KEK, role aggregation.Role) error {
	s, err := sign.GenerateSigner()
	if err != nil {
		return err
	}
	v, err := s.Verifier()
	if err != nil {
		return err
	}
	return writePair(dir, kek, purpose(role, "statement"), StatementKeyFile,
		s.Handle(), StatementPubFile, v.Handle())
}

func writePair(dir string, kek keys.KEK, ad []byte, priv string,
	ph *keyset.Handle, pub string, uh *keyset.Handle) error {
	var enc, plain bytes.Buffer
	if err := keys.WriteEncrypted(&enc, ph, kek, ad); err != nil {
		return err
	}
	if err := keys.WritePublic(&plain, uh); err != nil {
		return err
	}
	if err := create(filepath.Join(dir, priv), enc.Bytes(), 0o600); err != nil {
		return err
	}
	return create(filepath.Join(dir, pub), plain.Bytes(), 0o644)
}

func create(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("write key: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// nodeKeys are a node's loaded keys.
type nodeKeys struct {
	share     *hpke.PrivateKey
	statement *sign.Signer
	publisher *hpke.PrivateKey // leader only
}

func loadKeys(c *Config, role aggregation.Role) (*nodeKeys, error) {
	kek, err := keys.LoadLocalKEK(c.path(KEKFile))
	if err != nil {
		return nil, err
	}
	var k nodeKeys
	h, err := readPrivate(c.path(ShareKeyFile), kek, purpose(role, "share"))
	if err == nil {
		k.share, err = hpke.PrivateKeyFromHandle(h)
	}
	if err != nil {
		return nil, fmt.Errorf("share key: %w", err)
	}
	h, err = readPrivate(c.path(StatementKeyFile), kek,
		purpose(role, "statement"))
	if err == nil {
		k.statement, err = sign.SignerFromHandle(h)
	}
	if err != nil {
		return nil, fmt.Errorf("statement key: %w", err)
	}
	if role != aggregation.Leader {
		return &k, nil
	}
	h, err = readPrivate(c.path(PublisherKeyFile), kek,
		purpose(role, "publisher"))
	if err == nil {
		k.publisher, err = hpke.PrivateKeyFromHandle(h)
	}
	if err != nil {
		return nil, fmt.Errorf("publisher key: %w", err)
	}
	return &k, nil
}

func readPrivate(path string, kek keys.KEK, ad []byte) (*keyset.Handle,
	error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return keys.ReadEncrypted(f, kek, ad)
}

// ReadStatementKey reads a node's public statement key file.
func ReadStatementKey(path string) (*sign.Verifier, error) {
	h, err := readPublic(path)
	if err != nil {
		return nil, fmt.Errorf("statement key %s: %w", path, err)
	}
	return sign.VerifierFromHandle(h)
}

// ReadShareKey reads a node's public HPKE share key file.
func ReadShareKey(path string) (*hpke.PublicKey, error) {
	h, err := readPublic(path)
	if err != nil {
		return nil, fmt.Errorf("share key %s: %w", path, err)
	}
	return hpke.PublicKeyFromHandle(h)
}

func readPublic(path string) (*keyset.Handle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return keys.ReadPublic(f)
}

// OpenPublisherKey reads the publisher's private key from a leader's
// data directory. Auditors' tools and tests that check a collection
// against plaintext use it; a node loads it in Build.
func OpenPublisherKey(dataDir string) (*hpke.PrivateKey, error) {
	c := &Config{DataDir: dataDir}
	kek, err := keys.LoadLocalKEK(c.path(KEKFile))
	if err != nil {
		return nil, err
	}
	h, err := readPrivate(c.path(PublisherKeyFile), kek,
		purpose(aggregation.Leader, "publisher"))
	if err != nil {
		return nil, fmt.Errorf("publisher key: %w", err)
	}
	return hpke.PrivateKeyFromHandle(h)
}
