package sign

import (
	stded25519 "crypto/ed25519"
	"encoding/hex"
	"testing"

	"github.com/infermargin/infermargin/crypto/keys/keystest"
	"github.com/tink-crypto/tink-go/v2/insecuresecretdataaccess"
	"github.com/tink-crypto/tink-go/v2/key"
	"github.com/tink-crypto/tink-go/v2/secretdata"
	"github.com/tink-crypto/tink-go/v2/signature/ed25519"
)

// The key pair of RFC 8032, section 7.1, TEST 1.
const (
	rfc8032Seed = "9d61b19deffd5a60ba844af492ec2cc4" +
		"4449c5697b326919703bac031cae7f60"
	rfc8032Public = "d75a980182b10ab7d54bfed3c964073a" +
		"0ee172f3daa62325af021a68f707511a"
)

// fixedSigner imports the RFC 8032 key into a Tink keyset.
func fixedSigner(t testing.TB) *Signer {
	t.Helper()
	params, err := ed25519.NewParameters(ed25519.VariantNoPrefix)
	if err != nil {
		t.Fatal(err)
	}
	seed := secretdata.NewBytesFromData(keystest.Hex(t, rfc8032Seed),
		insecuresecretdataaccess.Token{})
	k, err := ed25519.NewPrivateKey(seed, 0, params)
	if err != nil {
		t.Fatal(err)
	}
	h := keystest.Handle(t, k)
	s, err := SignerFromHandle(h)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rawSeed returns the 32-byte private seed inside a Tink Ed25519 key.
func rawSeed(t testing.TB, k key.Key) []byte {
	t.Helper()
	pk, ok := k.(*ed25519.PrivateKey)
	if !ok {
		t.Fatalf("key is %T, want *ed25519.PrivateKey", k)
	}
	return pk.PrivateKeyBytes().Data(insecuresecretdataaccess.Token{})
}

// TestKnownAnswer pins a signature and a KeyID for the RFC 8032 key, and
// checks both against Go's own Ed25519, as an auditor would.
func TestKnownAnswer(t *testing.T) {
	s := fixedSigner(t)
	v, err := s.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(v.pub); got != rfc8032Public {
		t.Fatalf("public key = %s, want %s", got, rfc8032Public)
	}
	msg := []byte("report")
	const (
		wantSig = "c4044b983051851ed20a5b54fbfb267c" +
			"b7487e192cafd71f3a7ba9492ef3944b" +
			"99441ad3d9bf2b24c459d7e54bf3e14a" +
			"cd73956cc4637342d98483540d61ba00"
		// Checked with Python: sha256(pack(">I", 28) + label + pub).
		wantID = "a402d0b242062e95e2037f8871525497"
	)

	sig, err := s.Sign(KindReport, msg)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(sig); got != wantSig {
		t.Errorf("Sign(KindReport, report) = %s, want %s", got, wantSig)
	}
	if got := v.KeyID(); got != wantID {
		t.Errorf("KeyID() = %s, want %s", got, wantID)
	}

	std := stded25519.NewKeyFromSeed(keystest.Hex(t, rfc8032Seed))
	stdSig := stded25519.Sign(std, Message(KindReport, msg))
	if got := hex.EncodeToString(stdSig); got != wantSig {
		t.Errorf("crypto/ed25519 signature = %s, want %s", got, wantSig)
	}
	pub := std.Public().(stded25519.PublicKey)
	if !stded25519.Verify(pub, Message(KindReport, msg), sig) {
		t.Errorf("crypto/ed25519 rejects our signature")
	}
}

// TestKeyIDIgnoresTinkKeyID imports one raw key twice: Tink gives each
// keyset its own random key id, so the serialized keysets differ, but
// the key, and so KeyID, is the same.
func TestKeyIDIgnoresTinkKeyID(t *testing.T) {
	a, err := fixedSigner(t).Verifier()
	if err != nil {
		t.Fatal(err)
	}
	b, err := fixedSigner(t).Verifier()
	if err != nil {
		t.Fatal(err)
	}
	ab, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	bb, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if string(ab) == string(bb) {
		t.Skip("Tink drew the same key id twice")
	}
	if a.KeyID() != b.KeyID() {
		t.Errorf("KeyID() = %s and %s for one key", a.KeyID(), b.KeyID())
	}
}
