package vdaf_test

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/crypto/vdaf"
)

// TestConcurrentUse runs many reports through one VDAF from several
// goroutines at once, as a node preparing parallel uploads does. circl
// keeps a hash state inside each instance, so sharing one between calls
// corrupts shares (and, under -race, reports a race); the histograms
// must come out exact.
func TestConcurrentUse(t *testing.T) {
	v := newVDAF(t)
	key := randomKey(t)
	const workers, each = 8, 10
	aggs := make([][2]*vdaf.AggShare, workers)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		aggs[w] = [2]*vdaf.AggShare{v.NewAggShare(), v.NewAggShare()}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range each {
				if err := addOne(v, key, aggs[w], measOf(w*each+r)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	total := [2]*vdaf.AggShare{v.NewAggShare(), v.NewAggShare()}
	for _, a := range aggs {
		for role := range total {
			if err := total[role].Merge(a[role]); err != nil {
				t.Fatal(err)
			}
		}
	}
	checkTotals(t, v, total, workers*each)
}

func measOf(r int) []uint64 {
	return []uint64{uint64(r % 25), uint64(r*7) % 31, uint64(r % 13)}
}

func addOne(v *vdaf.VDAF, key *vdaf.VerifyKey, aggs [2]*vdaf.AggShare,
	meas []uint64) error {
	var nonce vdaf.Nonce
	nonce[0], nonce[1] = byte(meas[0]), byte(meas[1])
	s, err := v.Shard(meas, &nonce)
	if err != nil {
		return err
	}
	outs, err := prepare(v, key, &nonce, s)
	if err != nil {
		return err
	}
	aggs[0].Add(outs[0])
	aggs[1].Add(outs[1])
	return nil
}

func checkTotals(t *testing.T, v *vdaf.VDAF, aggs [2]*vdaf.AggShare,
	n int) {
	t.Helper()
	for i, s := range specs {
		want := make([]uint64, s.Buckets)
		for r := range n {
			want[measOf(r)[i]]++
		}
		l, _ := aggs[0].MarshalMetric(i)
		h, _ := aggs[1].MarshalMetric(i)
		got, err := v.Unshard(i, l, h, uint64(n))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Unshard(%d) after concurrent use (-want +got):\n%s",
				i, diff)
		}
	}
}
