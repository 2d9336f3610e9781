package vdaftest

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/infermargin/infermargin/crypto/vdaf"
)

// TestTurboShake128 checks the empty-message vector of RFC 9861,
// section 5 (TurboSHAKE128, D = 0x1F, 32 bytes).
func TestTurboShake128(t *testing.T) {
	got := hex.EncodeToString(turboShake128(nil, 0x1f, 32))
	want := "1e415f1c5983aff2169217277d17bb53" +
		"8cd945a397ddec541f1ce41af2c1b74c"
	if got != want {
		t.Errorf("turboShake128(\"\", 0x1f, 32) = %s, want %s", got, want)
	}
}

// TestJointRandPart checks the XOF framing against circl: recomputing the
// leader's joint randomness part of an honest report must give the part
// circl put in the public share. If circl changes its framing, AddOne
// would forge nothing, so this test guards the forgery tests.
func TestJointRandPart(t *testing.T) {
	v, err := vdaf.New("test", []vdaf.Spec{{Name: "m", Buckets: 7}})
	if err != nil {
		t.Fatal(err)
	}
	nonce := vdaf.Nonce{1, 2, 3}
	s, err := v.Shard([]uint64{3}, &nonce)
	if err != nil {
		t.Fatal(err)
	}
	leader := s.Input[vdaf.Leader][0]
	got := jointRandPart(v.Context(0), leader[len(leader)-seedSize:], 0,
		nonce[:], leader[:7*fieldSize])
	if want := s.Public[0][:seedSize]; !bytes.Equal(got, want) {
		t.Errorf("jointRandPart = %x, want %x", got, want)
	}
}
