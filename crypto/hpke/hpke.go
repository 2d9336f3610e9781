// Package hpke encrypts each aggregator's input shares to that aggregator
// with HPKE (RFC 9180) through Tink's hybrid encryption, in one suite
// only: base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM,
// and no Tink output prefix. A ciphertext is the 32-byte encapsulated
// key followed by the AES-GCM ciphertext and its 16-byte tag, so it is
// Overhead bytes longer than the plaintext, and any RFC 9180
// implementation can open it.
//
// Info builds the HPKE info string that binds a ciphertext to one
// report, batch, aggregator role and list of public shares, so a share
// cannot be replayed into another report or to the other aggregator.
//
// The package deliberately does not authenticate senders: base mode
// gives confidentiality only, and a report is authenticated by the
// company's signature (package sign) over everything, ciphertexts
// included. It does not store keys either: Handle gives the Tink keyset
// to package keys, which encrypts it at rest. A keyset here holds exactly
// one key; rotating means a new keyset, announced like the first.
package hpke

import (
	"bytes"
	"fmt"

	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/tink-crypto/tink-go/v2/hybrid"
	tinkhpke "github.com/tink-crypto/tink-go/v2/hybrid/hpke"
	"github.com/tink-crypto/tink-go/v2/key"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// Overhead is how many bytes longer a ciphertext is than its plaintext:
// the 32-byte X25519 encapsulated key and the 16-byte AES-GCM tag.
const Overhead = 32 + 16

// maxKeysetSize bounds the input to ParsePublicKey. A public keyset of
// ours is about 100 bytes.
const maxKeysetSize = 1 << 10

// PrivateKey is an aggregator's HPKE private key. It cannot be compared
// with == and prints as a redacted placeholder, so it does not end up
// in a log line or an error message by accident.
type PrivateKey struct {
	_   [0]func()
	h   *keyset.Handle
	dec tink.HybridDecrypt
}

// PublicKey is the public half of a PrivateKey, which collectors
// encrypt to. It holds no secret.
type PublicKey struct {
	h   *keyset.Handle
	enc tink.HybridEncrypt
}

// GenerateKey returns a new private key from a fresh Tink keyset.
func GenerateKey() (*PrivateKey, error) {
	h, err := keyset.NewHandle(hybrid.
		DHKEM_X25519_HKDF_SHA256_HKDF_SHA256_AES_256_GCM_Raw_Key_Template())
	if err != nil {
		return nil, fmt.Errorf("generate hpke key: %w", err)
	}
	return PrivateKeyFromHandle(h)
}

// PrivateKeyFromHandle wraps a Tink keyset, for example one read back
// by keys.ReadEncrypted. The keyset must hold exactly one enabled HPKE
// private key of this package's suite without output prefix.
func PrivateKeyFromHandle(h *keyset.Handle) (*PrivateKey, error) {
	if err := checkKeyset(h, true); err != nil {
		return nil, fmt.Errorf("hpke private key: %w", err)
	}
	dec, err := hybrid.NewHybridDecrypt(h)
	if err != nil {
		return nil, fmt.Errorf("hpke private key: %w", err)
	}
	return &PrivateKey{h: h, dec: dec}, nil
}

// PublicKeyFromHandle wraps a Tink public keyset, for example one read
// by keys.ReadPublic. The keyset must hold exactly one enabled HPKE
// public key of this package's suite without output prefix.
func PublicKeyFromHandle(h *keyset.Handle) (*PublicKey, error) {
	if err := checkKeyset(h, false); err != nil {
		return nil, fmt.Errorf("hpke public key: %w", err)
	}
	enc, err := hybrid.NewHybridEncrypt(h)
	if err != nil {
		return nil, fmt.Errorf("hpke public key: %w", err)
	}
	return &PublicKey{h: h, enc: enc}, nil
}

// Public returns the public key of k.
func (k *PrivateKey) Public() (*PublicKey, error) {
	h, err := k.h.Public()
	if err != nil {
		return nil, fmt.Errorf("hpke public key: %w", err)
	}
	return PublicKeyFromHandle(h)
}

// Handle returns the Tink keyset of k, to store with keys.WriteEncrypted.
func (k *PrivateKey) Handle() *keyset.Handle { return k.h }

// String returns a placeholder that reveals nothing about the key.
func (k *PrivateKey) String() string { return "hpke.PrivateKey(redacted)" }

// GoString is String, so %#v is redacted too.
func (k *PrivateKey) GoString() string { return k.String() }

// Handle returns the Tink public keyset of p, for keys.WritePublic.
func (p *PublicKey) Handle() *keyset.Handle { return p.h }

// MarshalBinary returns p as a Tink public keyset in binary protobuf
// form, the form ParsePublicKey reads.
func (p *PublicKey) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	err := p.h.WriteWithNoSecrets(keyset.NewBinaryWriter(&buf))
	if err != nil {
		return nil, fmt.Errorf("marshal hpke public key: %w", err)
	}
	return buf.Bytes(), nil
}

// ParsePublicKey reads a public key written by MarshalBinary. The input
// is untrusted: anything but one HPKE public key of this package's suite
// is an error, and so is any secret key material.
func ParsePublicKey(b []byte) (*PublicKey, error) {
	if len(b) > maxKeysetSize {
		return nil, fmt.Errorf("parse hpke public key: %d bytes, max %d",
			len(b), maxKeysetSize)
	}
	r := keyset.NewBinaryReader(bytes.NewReader(b))
	h, err := keyset.ReadWithNoSecrets(r)
	if err != nil {
		return nil, fmt.Errorf("parse hpke public key: %w", err)
	}
	return PublicKeyFromHandle(h)
}

// checkKeyset checks that h holds one enabled primary key of our suite,
// private or public as asked.
func checkKeyset(h *keyset.Handle, private bool) error {
	k, err := keys.Single(h)
	if err != nil {
		return err
	}

	var p key.Parameters
	switch k := k.(type) {
	case *tinkhpke.PrivateKey:
		if private {
			p = k.Parameters()
		}
	case *tinkhpke.PublicKey:
		if !private {
			p = k.Parameters()
		}
	}
	if p == nil {
		want := "public"
		if private {
			want = "private"
		}
		return fmt.Errorf("key is %T, want hpke %s key", k, want)
	}
	return checkParams(p)
}

// checkParams accepts only the suite named in the package comment.
func checkParams(p key.Parameters) error {
	want, err := tinkhpke.NewParameters(tinkhpke.ParametersOpts{
		KEMID:   tinkhpke.DHKEM_X25519_HKDF_SHA256,
		KDFID:   tinkhpke.HKDFSHA256,
		AEADID:  tinkhpke.AES256GCM,
		Variant: tinkhpke.VariantNoPrefix,
	})
	if err != nil {
		return err
	}
	got, ok := p.(*tinkhpke.Parameters)
	if !ok || !want.Equal(got) {
		return fmt.Errorf("hpke suite %s, want %s",
			describe(got), describe(want))
	}
	return nil
}

func describe(p *tinkhpke.Parameters) string {
	if p == nil {
		return "unknown"
	}
	return fmt.Sprintf("%v/%v/%v/%v",
		p.KEMID(), p.KDFID(), p.AEADID(), p.Variant())
}
