package vdaf

import (
	"fmt"

	"github.com/cloudflare/circl/vdaf/prio3/histogram"
)

// AggShare is one aggregator's running sum of output shares, one vector
// per metric. Its zero value is not usable; get one from NewAggShare or
// ParseAggShare.
type AggShare struct {
	v      *VDAF
	shares []histogram.AggShare
}

// NewAggShare returns an empty aggregate share.
func (v *VDAF) NewAggShare() *AggShare {
	a := &AggShare{v: v, shares: make([]histogram.AggShare, len(v.metrics))}
	for i := range v.metrics {
		h, done := v.metrics[i].inst()
		a.shares[i] = h.AggregateInit()
		done()
	}
	return a
}

// ParseAggShare decodes an aggregate share, one encoded vector per metric,
// as written by MarshalMetric.
func (v *VDAF) ParseAggShare(metrics [][]byte) (*AggShare, error) {
	if len(metrics) != len(v.metrics) {
		return nil, ErrShape
	}
	a := &AggShare{v: v, shares: make([]histogram.AggShare, len(v.metrics))}
	for i, b := range metrics {
		m := &v.metrics[i]
		params := m.proto.Params()
		a.shares[i].New(&params)
		if err := a.shares[i].UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("metric %q: aggregate share: %w",
				m.name, ErrDecode)
		}
	}
	return a, nil
}

// Add adds one report's output share.
//
// https://datatracker.ietf.org/doc/html/draft-irtf-cfrg-vdaf-13#section-7.2.4
func (a *AggShare) Add(out *OutShare) {
	for i := range a.shares {
		h, done := a.v.metrics[i].inst()
		h.AggregateUpdate(&a.shares[i], out.shares[i])
		done()
	}
}

// Merge adds another aggregate share of the same VDAF into a. Output and
// aggregate shares are both plain vectors of field elements, so b is
// re-read as an output share and added.
func (a *AggShare) Merge(b *AggShare) error {
	for i := range a.shares {
		raw, err := b.MarshalMetric(i)
		if err != nil {
			return err
		}
		m := &a.v.metrics[i]
		params := m.proto.Params()
		var o histogram.OutShare
		o.New(&params)
		if err := o.UnmarshalBinary(raw); err != nil {
			return fmt.Errorf("metric %q: merge: %w", m.name, ErrDecode)
		}
		h, done := m.inst()
		h.AggregateUpdate(&a.shares[i], &o)
		done()
	}
	return nil
}

// MarshalMetric encodes the aggregate share of metric i.
func (a *AggShare) MarshalMetric(i int) ([]byte, error) {
	if i < 0 || i >= len(a.shares) {
		return nil, ErrShape
	}
	return a.shares[i].MarshalBinary()
}

// Marshal encodes the aggregate share of every metric.
func (a *AggShare) Marshal() ([][]byte, error) {
	out := make([][]byte, len(a.shares))
	for i := range a.shares {
		b, err := a.MarshalMetric(i)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// Unshard combines the leader's and the helper's encoded aggregate shares
// of metric i, over n reports, into the histogram's bucket counts.
//
// https://datatracker.ietf.org/doc/html/draft-irtf-cfrg-vdaf-13#section-7.2.5
func (v *VDAF) Unshard(i int, leader, helper []byte, n uint64) ([]uint64,
	error) {
	if i < 0 || i >= len(v.metrics) {
		return nil, ErrShape
	}
	m := &v.metrics[i]
	params := m.proto.Params()
	shares := make([]histogram.AggShare, 2)
	for j, b := range [][]byte{leader, helper} {
		shares[j].New(&params)
		if err := shares[j].UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("metric %q: aggregate share %d: %w",
				m.name, j, ErrDecode)
		}
	}

	h, done := m.inst()
	hist, err := h.Unshard(shares, uint(n))
	done()
	if err != nil {
		return nil, fmt.Errorf("metric %q: %w", m.name, ErrAggregate)
	}
	return *hist, nil
}
