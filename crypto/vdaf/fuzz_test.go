package vdaf_test

import (
	"testing"

	"github.com/infermargin/infermargin/crypto/vdaf"
)

// FuzzPrepInit feeds arbitrary public and input shares to both
// aggregators. Nothing may panic, and bytes that are not the honest
// shares must not yield a valid report.
func FuzzPrepInit(f *testing.F) {
	v, err := vdaf.New("fuzz", []vdaf.Spec{{Name: "m", Buckets: 13}})
	if err != nil {
		f.Fatal(err)
	}
	var nonce vdaf.Nonce
	var key vdaf.VerifyKey
	s, err := v.Shard([]uint64{3}, &nonce)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(s.Public[0], s.Input[vdaf.Leader][0], uint8(0))
	f.Add(s.Public[0], s.Input[vdaf.Helper][0], uint8(1))
	f.Add([]byte{}, []byte{}, uint8(1))
	f.Fuzz(func(t *testing.T, pub, in []byte, agg uint8) {
		_, prep, err := v.PrepInit(&key, &nonce, agg%3, [][]byte{pub},
			[][]byte{in})
		if err != nil {
			return
		}
		if len(prep) != 1 || len(prep[0]) == 0 {
			t.Fatalf("PrepInit gave %d empty prep shares", len(prep))
		}
	})
}

// FuzzCombine feeds arbitrary prep shares to the proof decision.
func FuzzCombine(f *testing.F) {
	v, err := vdaf.New("fuzz", []vdaf.Spec{{Name: "m", Buckets: 13}})
	if err != nil {
		f.Fatal(err)
	}
	var nonce vdaf.Nonce
	var key vdaf.VerifyKey
	s, err := v.Shard([]uint64{3}, &nonce)
	if err != nil {
		f.Fatal(err)
	}
	_, l, _ := v.PrepInit(&key, &nonce, vdaf.Leader, s.Public,
		s.Input[vdaf.Leader])
	_, h, _ := v.PrepInit(&key, &nonce, vdaf.Helper, s.Public,
		s.Input[vdaf.Helper])
	f.Add(l[0], h[0])
	f.Add(h[0], l[0])
	f.Add([]byte{0}, []byte{})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		_, _ = v.Combine([][]byte{a}, [][]byte{b})
	})
}

// FuzzUnshard feeds arbitrary aggregate shares to the publisher.
func FuzzUnshard(f *testing.F) {
	v, err := vdaf.New("fuzz", []vdaf.Spec{{Name: "m", Buckets: 13}})
	if err != nil {
		f.Fatal(err)
	}
	zero, err := v.NewAggShare().MarshalMetric(0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(zero, zero, uint64(0))
	f.Add(zero[:7], zero, uint64(3))
	f.Fuzz(func(t *testing.T, a, b []byte, n uint64) {
		hist, err := v.Unshard(0, a, b, n)
		if err == nil && len(hist) != 13 {
			t.Fatalf("Unshard gave %d buckets, want 13", len(hist))
		}
		if _, err := v.ParseAggShare([][]byte{a}); err == nil &&
			len(a) != len(zero) {
			t.Fatalf("ParseAggShare accepted %d bytes, want %d",
				len(a), len(zero))
		}
	})
}
