package hpke

import (
	"crypto/ecdh"
	stdhpke "crypto/hpke"
	"encoding/hex"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/infermargin/infermargin/crypto/keys/keystest"
	tinkhpke "github.com/tink-crypto/tink-go/v2/hybrid/hpke"
	"github.com/tink-crypto/tink-go/v2/insecuresecretdataaccess"
	"github.com/tink-crypto/tink-go/v2/secretdata"
)

// The X25519 key pair of RFC 7748, section 6.1 (Alice), used as a fixed
// recipient key so that a ciphertext can be pinned.
const (
	rfc7748Private = "77076d0a7318a57d3c16c17251b26645" +
		"df4c2f87ebc0992ab177fba51db92c2a"
	rfc7748Public = "8520f0098930a754748b7ddcb43ef75a" +
		"0dbf3a0d26381af4eba4a98eaa9b4e6a"
)

// fixedKey imports the RFC 7748 private key into a Tink keyset.
func fixedKey(t testing.TB) *PrivateKey {
	t.Helper()
	params, err := tinkhpke.NewParameters(tinkhpke.ParametersOpts{
		KEMID:   tinkhpke.DHKEM_X25519_HKDF_SHA256,
		KDFID:   tinkhpke.HKDFSHA256,
		AEADID:  tinkhpke.AES256GCM,
		Variant: tinkhpke.VariantNoPrefix,
	})
	if err != nil {
		t.Fatal(err)
	}
	secret := secretdata.NewBytesFromData(keystest.Hex(t, rfc7748Private),
		insecuresecretdataaccess.Token{})
	k, err := tinkhpke.NewPrivateKey(secret, 0, params)
	if err != nil {
		t.Fatal(err)
	}
	h := keystest.Handle(t, k)
	priv, err := PrivateKeyFromHandle(h)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// rawKeys returns the X25519 key bytes inside priv.
func rawKeys(t testing.TB, priv *PrivateKey) (private, public []byte) {
	t.Helper()
	e, err := priv.Handle().Primary()
	if err != nil {
		t.Fatal(err)
	}
	k := e.Key().(*tinkhpke.PrivateKey)
	pk, err := k.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return k.PrivateKeyBytes().Data(insecuresecretdataaccess.Token{}),
		pk.(*tinkhpke.PublicKey).PublicKeyBytes()
}

var stdKDF, stdAEAD = stdhpke.HKDFSHA256(), stdhpke.AES256GCM()

// TestStdlibInterop checks our ciphertexts against Go's own RFC 9180
// implementation, in both directions, so that the suite, the info
// binding and the ciphertext layout are what the package comment says.
func TestStdlibInterop(t *testing.T) {
	priv, pub := newKey(t)
	rawPriv, rawPub := rawKeys(t, priv)
	ecdhPriv, err := ecdh.X25519().NewPrivateKey(rawPriv)
	if err != nil {
		t.Fatal(err)
	}
	stdPriv, err := stdhpke.NewDHKEMPrivateKey(ecdhPriv)
	if err != nil {
		t.Fatal(err)
	}
	ecdhPub, err := ecdh.X25519().NewPublicKey(rawPub)
	if err != nil {
		t.Fatal(err)
	}
	stdPub, err := stdhpke.NewDHKEMPublicKey(ecdhPub)
	if err != nil {
		t.Fatal(err)
	}
	info := Info([16]byte{1}, "c@1/2026-01/v1", "leader", nil)
	msg := []byte("input share")

	t.Run("stdlib seals, we open", func(t *testing.T) {
		ct, err := stdhpke.Seal(stdPub, stdKDF, stdAEAD, info, msg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Open(priv, ct, info)
		if err != nil {
			t.Fatalf("Open(stdlib ciphertext) error: %v", err)
		}
		if diff := cmp.Diff(msg, got); diff != "" {
			t.Errorf("Open() mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("we seal, stdlib opens", func(t *testing.T) {
		ct, err := Seal(pub, msg, info)
		if err != nil {
			t.Fatal(err)
		}
		got, err := stdhpke.Open(stdPriv, stdKDF, stdAEAD, info, ct)
		if err != nil {
			t.Fatalf("stdlib Open(our ciphertext) error: %v", err)
		}
		if diff := cmp.Diff(msg, got); diff != "" {
			t.Errorf("stdlib Open() mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestFixedKeyIsRFC7748(t *testing.T) {
	_, pub := rawKeys(t, fixedKey(t))
	if got := hex.EncodeToString(pub); got != rfc7748Public {
		t.Errorf("public key = %s, want %s", got, rfc7748Public)
	}
}

// TestOpenKnownAnswer opens a ciphertext made once, by Go's crypto/hpke,
// to the RFC 7748 key. It pins the wire form of a ciphertext across
// Tink upgrades.
func TestOpenKnownAnswer(t *testing.T) {
	const (
		info = "696e666f"                           // "info"
		msg  = "7368617265"                         // "share"
		ct   = "b1f43b29670d903c65d93afd7ff35f1d" + // encapsulated key
			"eb308e486ed1668a32e6c15ac1598102" +
			"48e961728c" + // AES-256-GCM of "share"
			"3a6fe66c6887edeeda9520d306edcb0c" // tag
	)
	got, err := Open(fixedKey(t), keystest.Hex(t, ct), keystest.Hex(t, info))
	if err != nil {
		t.Fatalf("Open(known answer) error: %v", err)
	}
	if hex.EncodeToString(got) != msg {
		t.Errorf("Open(known answer) = %x, want %s", got, msg)
	}
}
