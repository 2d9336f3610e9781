package hpke

import (
	"errors"
	"fmt"

	"github.com/infermargin/infermargin/crypto/wire"
)

// ErrDecrypt is wrapped by every error Open returns. The message says
// why in general terms only: it never holds the plaintext, the key or
// the ciphertext.
var ErrDecrypt = errors.New("decrypt share")

// infoLabel is the domain label that starts every Info string. Its
// version changes whenever the fields that follow it change.
const infoLabel = "infermargin/hpke/share/v1"

// Seal encrypts plaintext to pub, binding info to the ciphertext: Open
// succeeds only with the very same info. For input shares, info is the
// output of Info.
func Seal(pub *PublicKey, plaintext, info []byte) ([]byte, error) {
	if pub == nil || pub.enc == nil {
		return nil, errors.New("seal share: no public key")
	}
	ct, err := pub.enc.Encrypt(plaintext, info)
	if err != nil {
		return nil, fmt.Errorf("seal share: %w", err)
	}
	return ct, nil
}

// Open decrypts a ciphertext made by Seal with priv's public key and the
// same info. Every failure wraps ErrDecrypt. A ciphertext for another
// key, with other info or changed in any bit fails alike, and Tink's own
// error is not passed on, so the error tells an attacker nothing more.
func Open(priv *PrivateKey, ciphertext, info []byte) ([]byte, error) {
	if priv == nil || priv.dec == nil {
		return nil, fmt.Errorf("%w: no private key", ErrDecrypt)
	}
	if len(ciphertext) < Overhead {
		return nil, fmt.Errorf("%w: ciphertext of %d bytes, min %d",
			ErrDecrypt, len(ciphertext), Overhead)
	}
	pt, err := priv.dec.Decrypt(ciphertext, info)
	if err != nil {
		return nil, fmt.Errorf("%w: ciphertext or info not authentic",
			ErrDecrypt)
	}
	return pt, nil
}

// Info returns the HPKE info string for the input shares of one report
// sent to one aggregator. Collector and aggregator compute it alike from
// the report's public fields, so a ciphertext opens only inside the
// report, batch and role it was made for, next to the public shares it
// was made with.
//
// The encoding is that of package wire, each length and count a
// big-endian uint32:
//
//	len("infermargin/hpke/share/v1") || "infermargin/hpke/share/v1"
//	|| 16 || reportID
//	|| len(batch) || batch
//	|| len(role) || role
//	|| len(publicShares)
//	|| for each share: len(share) || share
//
// role is "leader" or "helper". Info does not check it; any other value
// only yields info that no honest peer computes.
func Info(
	reportID [16]byte, batch, role string, publicShares [][]byte,
) []byte {
	var b wire.Builder
	b.AddString(infoLabel)
	b.AddBytes(reportID[:])
	b.AddString(batch)
	b.AddString(role)
	b.AddBytesList(publicShares)
	return b.Bytes()
}
