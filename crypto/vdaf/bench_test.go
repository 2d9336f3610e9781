package vdaf_test

import (
	"crypto/rand"
	"fmt"
	"testing"

	"github.com/cloudflare/circl/vdaf/prio3/histogram"
)

// BenchmarkChunkLength measures one report's full cost (shard, both
// PrepInit calls, the proof decision) for the histogram lengths of the
// methodology and a range of chunk lengths, to choose ChunkLength by
// measurement: 18 to 22 are the lengths of methodology v1, 13 and 40
// the least and most the methodology allows and 25, 31 two in between.
// Results are in BENCHMARKS.md.
func BenchmarkChunkLength(b *testing.B) {
	for _, n := range []uint{13, 18, 19, 20, 21, 22, 25, 31, 40} {
		for _, c := range []uint{2, 3, 4, 5, 6, 8} {
			if c > n {
				continue
			}
			b.Run(fmt.Sprintf("buckets=%d/chunk=%d", n, c), func(b *testing.B) {
				benchHistogram(b, n, c)
			})
		}
	}
}

func benchHistogram(b *testing.B, n, c uint) {
	h, err := histogram.New(2, n, c, []byte("bench"))
	if err != nil {
		b.Fatal(err)
	}
	params := h.Params()
	var key histogram.VerifyKey
	var nonce histogram.Nonce
	rand.Read(key[:])
	b.ReportMetric(float64(params.ProofLength()), "proof-elems")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf := make([]byte, params.RandSize())
		rand.Read(buf)
		rand.Read(nonce[:])
		pub, in, err := h.Shard(uint64(i)%uint64(n), &nonce, buf)
		if err != nil {
			b.Fatal(err)
		}
		_, l, err := h.PrepInit(&key, &nonce, 0, pub, in[0])
		if err != nil {
			b.Fatal(err)
		}
		_, r, err := h.PrepInit(&key, &nonce, 1, pub, in[1])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := h.PrepSharesToPrep([]histogram.PrepShare{*l, *r}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkShard is the client's cost of sharding one five-metric report.
func BenchmarkShard(b *testing.B) {
	v := newVDAF(b)
	nonce := randomNonce(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Shard([]uint64{1, 2, 3}, nonce); err != nil {
			b.Fatal(err)
		}
	}
}
