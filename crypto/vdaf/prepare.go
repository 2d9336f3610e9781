package vdaf

import (
	"fmt"

	"github.com/cloudflare/circl/vdaf/prio3/histogram"
)

// PrepState is one aggregator's state for one report between PrepInit and
// PrepNext. It holds that aggregator's output shares, so it stays in
// memory: PrepInit is deterministic and is simply run again after a
// restart.
type PrepState struct {
	states []*histogram.PrepState
}

// OutShare is one aggregator's output share of one report, one vector per
// metric, ready to be added into an AggShare.
type OutShare struct {
	shares []*histogram.OutShare
}

// PrepInit starts preparation of one report on aggregator agg. It decodes
// the public and input shares, checks that they are consistent and returns
// the state to keep and the prep shares to send to the peer.
//
// https://datatracker.ietf.org/doc/html/draft-irtf-cfrg-vdaf-13#section-7.2.2
func (v *VDAF) PrepInit(key *VerifyKey, nonce *Nonce, agg uint8,
	public, input [][]byte) (*PrepState, [][]byte, error) {
	if len(public) != len(v.metrics) || len(input) != len(v.metrics) {
		return nil, nil, ErrShape
	}
	if agg != Leader && agg != Helper {
		return nil, nil, fmt.Errorf("aggregator id %d: %w", agg, ErrShape)
	}
	st := &PrepState{states: make([]*histogram.PrepState, len(v.metrics))}
	prep := make([][]byte, len(v.metrics))
	for i := range v.metrics {
		m := &v.metrics[i]
		s, p, err := m.prepInit(key, nonce, agg, public[i], input[i])
		if err != nil {
			return nil, nil, fmt.Errorf("metric %q: %w", m.name, err)
		}
		st.states[i], prep[i] = s, p
	}
	return st, prep, nil
}

func (m *metric) prepInit(key *VerifyKey, nonce *Nonce, agg uint8,
	public, input []byte) (*histogram.PrepState, []byte, error) {
	params := m.proto.Params()
	var pub histogram.PublicShare
	pub.New(&params)
	if err := pub.UnmarshalBinary(public); err != nil {
		return nil, nil, fmt.Errorf("public share: %w", ErrDecode)
	}
	var in histogram.InputShare
	in.New(&params, uint(agg))
	if err := in.UnmarshalBinary(input); err != nil {
		return nil, nil, fmt.Errorf("input share: %w", ErrDecode)
	}

	h, done := m.inst()
	st, prep, err := h.PrepInit((*histogram.VerifyKey)(key),
		(*histogram.Nonce)(nonce), agg, pub, in)
	done()
	if err != nil {
		return nil, nil, ErrPrepInit
	}

	b, err := prep.MarshalBinary()
	if err != nil {
		return nil, nil, fmt.Errorf("encode prep share: %w", err)
	}
	return st, b, nil
}

// Combine turns the leader's and the helper's prep shares into the prep
// messages both use to finish. This is where the proof is decided: a report
// whose measurement is not a one-hot vector fails here with ErrProof.
//
// https://datatracker.ietf.org/doc/html/draft-irtf-cfrg-vdaf-13#section-7.2.2
func (v *VDAF) Combine(leader, helper [][]byte) ([][]byte, error) {
	if len(leader) != len(v.metrics) || len(helper) != len(v.metrics) {
		return nil, ErrShape
	}
	msgs := make([][]byte, len(v.metrics))
	for i := range v.metrics {
		m := &v.metrics[i]
		msg, err := m.combine(leader[i], helper[i])
		if err != nil {
			return nil, fmt.Errorf("metric %q: %w", m.name, err)
		}
		msgs[i] = msg
	}
	return msgs, nil
}

func (m *metric) combine(leader, helper []byte) ([]byte, error) {
	params := m.proto.Params()
	shares := make([]histogram.PrepShare, 2)
	for i, b := range [][]byte{leader, helper} {
		shares[i].New(&params)
		if err := shares[i].UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("prep share %d: %w", i, ErrDecode)
		}
	}

	h, done := m.inst()
	msg, err := h.PrepSharesToPrep(shares)
	done()
	if err != nil {
		return nil, ErrProof
	}
	return msg.MarshalBinary()
}

// PrepNext finishes preparation with the prep messages from Combine and
// returns the output share. Call it only with messages from a successful
// Combine: it checks that the joint randomness matches but does not
// decide the proof again.
//
// https://datatracker.ietf.org/doc/html/draft-irtf-cfrg-vdaf-13#section-7.2.2
func (v *VDAF) PrepNext(st *PrepState, msgs [][]byte) (*OutShare, error) {
	if st == nil || len(st.states) != len(v.metrics) ||
		len(msgs) != len(v.metrics) {
		return nil, ErrShape
	}
	out := &OutShare{shares: make([]*histogram.OutShare, len(v.metrics))}
	for i := range v.metrics {
		m := &v.metrics[i]
		o, err := m.prepNext(st.states[i], msgs[i])
		if err != nil {
			return nil, fmt.Errorf("metric %q: %w", m.name, err)
		}
		out.shares[i] = o
	}
	return out, nil
}

func (m *metric) prepNext(st *histogram.PrepState, b []byte) (
	*histogram.OutShare, error) {
	params := m.proto.Params()
	var msg histogram.PrepMessage
	msg.New(&params)
	if err := msg.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("prep message: %w", ErrDecode)
	}
	h, done := m.inst()
	defer done()
	o, err := h.PrepNext(st, &msg)
	if err != nil {
		return nil, ErrPrepNext
	}
	return o, nil
}
