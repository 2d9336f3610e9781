// Package sign makes and checks the Ed25519 signatures of InferMargin:
// a company's signature over each report and enrollment, an
// aggregator's over each statement and receipt. It wraps Tink's Ed25519
// keys without output prefix, so a signature is the plain 64-byte
// RFC 8032 signature that any Ed25519 library verifies.
//
// Every signature is domain-separated by a Kind: what is signed is
// Message(kind, msg), never msg alone, so a signed report can never pass
// as a statement or a receipt. KeyID names a verification key stably,
// for enrollment records and statements.
//
// The package deliberately does not decide what goes into msg (package
// wire encodes it, the aggregation package lays it out), does not store
// keys (Handle gives the Tink keyset to package keys), and does not
// decide which keys to trust: enrollment does. A keyset here holds
// exactly one key.
package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/signature"
	"github.com/tink-crypto/tink-go/v2/signature/ed25519"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// maxKeysetSize bounds the input to ParseVerifier. A public keyset of
// ours is about 100 bytes.
const maxKeysetSize = 1 << 10

// Signer is a private signing key. It cannot be compared with == and
// prints as a redacted placeholder, so it does not end up in a log line
// or an error message by accident.
type Signer struct {
	_ [0]func()
	h *keyset.Handle
	s tink.Signer
}

// Verifier is the public half of a Signer.
type Verifier struct {
	h   *keyset.Handle
	v   tink.Verifier
	pub []byte // the raw 32-byte Ed25519 public key
}

// GenerateSigner returns a new signing key from a fresh Tink keyset.
func GenerateSigner() (*Signer, error) {
	h, err := keyset.NewHandle(signature.ED25519KeyWithoutPrefixTemplate())
	if err != nil {
		return nil, fmt.Errorf("generate signer: %w", err)
	}
	return SignerFromHandle(h)
}

// SignerFromHandle wraps a Tink keyset, for example one read back by
// keys.ReadEncrypted. The keyset must hold exactly one enabled Ed25519
// private key without output prefix.
func SignerFromHandle(h *keyset.Handle) (*Signer, error) {
	if _, err := checkKeyset(h, true); err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	s, err := signature.NewSigner(h)
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	return &Signer{h: h, s: s}, nil
}

// VerifierFromHandle wraps a Tink public keyset, for example one read
// by keys.ReadPublic. The keyset must hold exactly one enabled Ed25519
// public key without output prefix.
func VerifierFromHandle(h *keyset.Handle) (*Verifier, error) {
	pub, err := checkKeyset(h, false)
	if err != nil {
		return nil, fmt.Errorf("verifier: %w", err)
	}
	v, err := signature.NewVerifier(h)
	if err != nil {
		return nil, fmt.Errorf("verifier: %w", err)
	}
	return &Verifier{h: h, v: v, pub: pub.KeyBytes()}, nil
}

// Verifier returns the public half of s.
func (s *Signer) Verifier() (*Verifier, error) {
	h, err := s.h.Public()
	if err != nil {
		return nil, fmt.Errorf("verifier: %w", err)
	}
	return VerifierFromHandle(h)
}

// Handle returns the Tink keyset of s, to store with keys.WriteEncrypted.
func (s *Signer) Handle() *keyset.Handle { return s.h }

// String returns a placeholder that reveals nothing about the key.
func (s *Signer) String() string { return "sign.Signer(redacted)" }

// GoString is String, so %#v is redacted too.
func (s *Signer) GoString() string { return s.String() }

// Handle returns the Tink public keyset of v, for keys.WritePublic.
func (v *Verifier) Handle() *keyset.Handle { return v.h }

// MarshalBinary returns v as a Tink public keyset in binary protobuf
// form, the form ParseVerifier reads.
func (v *Verifier) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	err := v.h.WriteWithNoSecrets(keyset.NewBinaryWriter(&buf))
	if err != nil {
		return nil, fmt.Errorf("marshal verifier: %w", err)
	}
	return buf.Bytes(), nil
}

// ParseVerifier reads a verifier written by MarshalBinary. The input is
// untrusted: anything but one Ed25519 public key without output prefix
// is an error, and so is any secret key material.
func ParseVerifier(b []byte) (*Verifier, error) {
	if len(b) > maxKeysetSize {
		return nil, fmt.Errorf("parse verifier: %d bytes, max %d",
			len(b), maxKeysetSize)
	}
	r := keyset.NewBinaryReader(bytes.NewReader(b))
	h, err := keyset.ReadWithNoSecrets(r)
	if err != nil {
		return nil, fmt.Errorf("parse verifier: %w", err)
	}
	return VerifierFromHandle(h)
}

// keyIDLabel separates KeyID hashes from any other hash of a key.
const keyIDLabel Kind = "infermargin/keyid/ed25519/v1"

// KeyID names v's key: the first 16 bytes of
// SHA-256(Message("infermargin/keyid/ed25519/v1", pub)), in lower-case
// hex, where pub is the raw 32-byte Ed25519 public key (RFC 8032).
//
// It hashes the raw key rather than the Tink keyset, so that one key has
// one id: a keyset also carries a random Tink key id and protobuf
// framing, which differ between copies of one key and may change across
// library versions. Anyone can recompute KeyID from the raw key alone.
func (v *Verifier) KeyID() string {
	sum := sha256.Sum256(Message(keyIDLabel, v.pub))
	return hex.EncodeToString(sum[:16])
}

// checkKeyset checks that h holds one enabled primary Ed25519 key
// without prefix, private or public as asked, and returns its public key.
func checkKeyset(h *keyset.Handle, private bool) (*ed25519.PublicKey, error) {
	k, err := keys.Single(h)
	if err != nil {
		return nil, err
	}

	var pub *ed25519.PublicKey
	switch k := k.(type) {
	case *ed25519.PrivateKey:
		if private {
			pk, err := k.PublicKey()
			if err != nil {
				return nil, err
			}
			pub, _ = pk.(*ed25519.PublicKey)
		}
	case *ed25519.PublicKey:
		if !private {
			pub = k
		}
	}
	if pub == nil {
		want := "public"
		if private {
			want = "private"
		}
		return nil, fmt.Errorf("key is %T, want an ed25519 %s key",
			k, want)
	}
	p, ok := pub.Parameters().(*ed25519.Parameters)
	if !ok || p.Variant() != ed25519.VariantNoPrefix {
		return nil, errors.New("ed25519 key has a tink output prefix")
	}
	return pub, nil
}
