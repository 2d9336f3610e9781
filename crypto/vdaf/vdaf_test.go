package vdaf_test

import (
	"crypto/rand"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/infermargin/infermargin/crypto/vdaf"
	"github.com/infermargin/infermargin/crypto/vdaf/vdaftest"
)

var specs = []vdaf.Spec{
	{Name: "ratio", Buckets: 25},
	{Name: "spend", Buckets: 31},
	{Name: "growth", Buckets: 13},
}

func newVDAF(t testing.TB) *vdaf.VDAF {
	t.Helper()
	v, err := vdaf.New("infermargin/test", specs)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func randomNonce(t testing.TB) *vdaf.Nonce {
	var n vdaf.Nonce
	if _, err := rand.Read(n[:]); err != nil {
		t.Fatal(err)
	}
	return &n
}

func randomKey(t testing.TB) *vdaf.VerifyKey {
	var k vdaf.VerifyKey
	if _, err := rand.Read(k[:]); err != nil {
		t.Fatal(err)
	}
	return &k
}

// prepare runs both aggregators on one report and returns their output
// shares, or the first error.
func prepare(v *vdaf.VDAF, key *vdaf.VerifyKey, nonce *vdaf.Nonce,
	s *vdaf.Shares) ([2]*vdaf.OutShare, error) {
	var outs [2]*vdaf.OutShare
	lst, lprep, err := v.PrepInit(key, nonce, vdaf.Leader, s.Public,
		s.Input[vdaf.Leader])
	if err != nil {
		return outs, err
	}
	hst, hprep, err := v.PrepInit(key, nonce, vdaf.Helper, s.Public,
		s.Input[vdaf.Helper])
	if err != nil {
		return outs, err
	}
	msgs, err := v.Combine(lprep, hprep)
	if err != nil {
		return outs, err
	}
	if outs[0], err = v.PrepNext(lst, msgs); err != nil {
		return outs, err
	}
	outs[1], err = v.PrepNext(hst, msgs)
	return outs, err
}

func TestRoundTrip(t *testing.T) {
	v := newVDAF(t)
	key := randomKey(t)
	aggs := [2]*vdaf.AggShare{v.NewAggShare(), v.NewAggShare()}
	want := make([][]uint64, len(specs))
	for i, s := range specs {
		want[i] = make([]uint64, s.Buckets)
	}

	const n = 40
	for r := 0; r < n; r++ {
		meas := []uint64{uint64(r % 25), uint64(r*7) % 31, 12}
		for i, m := range meas {
			want[i][m]++
		}
		nonce := randomNonce(t)
		s, err := v.Shard(meas, nonce)
		if err != nil {
			t.Fatal(err)
		}
		outs, err := prepare(v, key, nonce, s)
		if err != nil {
			t.Fatalf("report %d: %v", r, err)
		}
		aggs[0].Add(outs[0])
		aggs[1].Add(outs[1])
	}

	for i := range specs {
		l, _ := aggs[0].MarshalMetric(i)
		h, _ := aggs[1].MarshalMetric(i)
		got, err := v.Unshard(i, l, h, n)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want[i], got); diff != "" {
			t.Errorf("Unshard(%d) mismatch (-want +got):\n%s", i, diff)
		}
	}
}

func TestMaliciousClient(t *testing.T) {
	v := newVDAF(t)
	key := randomKey(t)
	tests := []struct {
		name   string
		forge  func(s *vdaf.Shares, nonce *vdaf.Nonce) error
		wantIs error
	}{
		{"two ones", func(s *vdaf.Shares, n *vdaf.Nonce) error {
			return vdaftest.AddOne(v, s, n, 1, 30)
		}, vdaf.ErrProof},
		{"a two", func(s *vdaf.Shares, n *vdaf.Nonce) error {
			return vdaftest.AddOne(v, s, n, 0, 4)
		}, vdaf.ErrProof},
		{"helper share of another report", func(s *vdaf.Shares,
			n *vdaf.Nonce) error {
			other, err := v.Shard([]uint64{4, 5, 6}, n)
			if err != nil {
				return err
			}
			s.Input[vdaf.Helper] = other.Input[vdaf.Helper]
			s.Public[2] = append(s.Public[2][:32:32], other.Public[2][32:]...)
			s.Public[1] = append(s.Public[1][:32:32], other.Public[1][32:]...)
			s.Public[0] = append(s.Public[0][:32:32], other.Public[0][32:]...)
			return nil
		}, vdaf.ErrProof},
		{"public share tampered", func(s *vdaf.Shares, _ *vdaf.Nonce) error {
			s.Public[0][5] ^= 1
			return nil
		}, vdaf.ErrPrepInit},
		{"leader share truncated", func(s *vdaf.Shares, _ *vdaf.Nonce) error {
			s.Input[vdaf.Leader][2] = s.Input[vdaf.Leader][2][:40]
			return nil
		}, vdaf.ErrDecode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nonce := randomNonce(t)
			s, err := v.Shard([]uint64{4, 5, 6}, nonce)
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.forge(s, nonce); err != nil {
				t.Fatal(err)
			}
			_, err = prepare(v, key, nonce, s)
			if !errors.Is(err, tc.wantIs) {
				t.Errorf("prepare(forged) = %v, want %v", err, tc.wantIs)
			}
		})
	}
}

// TestForgedPassesPrepInit shows that the forged shares are caught by the
// proof and not earlier: both PrepInit calls succeed.
func TestForgedPassesPrepInit(t *testing.T) {
	v := newVDAF(t)
	key := randomKey(t)
	nonce := randomNonce(t)
	s, err := v.Shard([]uint64{1, 2, 3}, nonce)
	if err != nil {
		t.Fatal(err)
	}
	if err := vdaftest.AddOne(v, s, nonce, 0, 9); err != nil {
		t.Fatal(err)
	}
	for _, agg := range []uint8{vdaf.Leader, vdaf.Helper} {
		_, _, err := v.PrepInit(key, nonce, agg, s.Public, s.Input[agg])
		if err != nil {
			t.Errorf("PrepInit(aggregator %d) = %v, want nil", agg, err)
		}
	}
}

func TestContextBinding(t *testing.T) {
	v := newVDAF(t)
	other, err := vdaf.New("infermargin/other", specs)
	if err != nil {
		t.Fatal(err)
	}
	key := randomKey(t)
	nonce := randomNonce(t)
	s, err := v.Shard([]uint64{1, 2, 3}, nonce)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prepare(other, key, nonce, s); err == nil {
		t.Error("prepare under another context succeeded")
	}
	otherNonce := randomNonce(t)
	if _, err := prepare(v, key, otherNonce, s); err == nil {
		t.Error("prepare under another nonce succeeded")
	}
}

func TestVerifyKeyMismatch(t *testing.T) {
	v := newVDAF(t)
	nonce := randomNonce(t)
	s, err := v.Shard([]uint64{1, 2, 3}, nonce)
	if err != nil {
		t.Fatal(err)
	}
	_, lprep, err := v.PrepInit(randomKey(t), nonce, vdaf.Leader, s.Public,
		s.Input[vdaf.Leader])
	if err != nil {
		t.Fatal(err)
	}
	_, hprep, err := v.PrepInit(randomKey(t), nonce, vdaf.Helper, s.Public,
		s.Input[vdaf.Helper])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Combine(lprep, hprep); !errors.Is(err, vdaf.ErrProof) {
		t.Errorf("Combine with different verify keys = %v, want %v",
			err, vdaf.ErrProof)
	}
}

func TestShardErrors(t *testing.T) {
	v := newVDAF(t)
	nonce := randomNonce(t)
	if _, err := v.Shard([]uint64{1, 2}, nonce); !errors.Is(err, vdaf.ErrShape) {
		t.Errorf("Shard(2 of 3 metrics) = %v, want %v", err, vdaf.ErrShape)
	}
	_, err := v.Shard([]uint64{1, 31, 2}, nonce)
	if !errors.Is(err, vdaf.ErrMeasurement) {
		t.Errorf("Shard(bucket 31 of 31) = %v, want %v",
			err, vdaf.ErrMeasurement)
	}
	if _, err := vdaf.New("x", nil); !errors.Is(err, vdaf.ErrShape) {
		t.Errorf("New(no metrics) = %v, want %v", err, vdaf.ErrShape)
	}
}

func TestMerge(t *testing.T) {
	v := newVDAF(t)
	key := randomKey(t)
	parts := [2][2]*vdaf.AggShare{
		{v.NewAggShare(), v.NewAggShare()},
		{v.NewAggShare(), v.NewAggShare()},
	}
	for r := 0; r < 6; r++ {
		nonce := randomNonce(t)
		s, err := v.Shard([]uint64{uint64(r), 0, 1}, nonce)
		if err != nil {
			t.Fatal(err)
		}
		outs, err := prepare(v, key, nonce, s)
		if err != nil {
			t.Fatal(err)
		}
		parts[r%2][0].Add(outs[0])
		parts[r%2][1].Add(outs[1])
	}
	for agg := 0; agg < 2; agg++ {
		if err := parts[0][agg].Merge(parts[1][agg]); err != nil {
			t.Fatal(err)
		}
	}
	l, _ := parts[0][0].MarshalMetric(0)
	h, _ := parts[0][1].MarshalMetric(0)
	got, err := v.Unshard(0, l, h, 6)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]uint64, 25)
	for r := 0; r < 6; r++ {
		want[r] = 1
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged histogram mismatch (-want +got):\n%s", diff)
	}
}

func TestChunkLength(t *testing.T) {
	tests := []struct{ n, want int }{
		{2, 2}, {3, 1}, {13, 5}, {25, 4}, {31, 5}, {40, 6},
	}
	for _, tc := range tests {
		if got := vdaf.ChunkLength(tc.n); got != tc.want {
			t.Errorf("ChunkLength(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}
