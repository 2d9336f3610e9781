// Package vdaftest forges the shares a malicious client would send, to
// test that the aggregators reject them. It is for tests only.
//
// A forged report is built the way a cheating client would build it: the
// leader's measurement share is changed after the proof was made, and the
// leader's joint randomness part in the public share is recomputed so that
// the change is not caught by the cheap consistency check in PrepInit but
// only by the proof itself.
package vdaftest

import (
	"encoding/binary"
	"errors"

	"github.com/cloudflare/circl/vdaf/prio3/arith/fp128"
	"github.com/infermargin/infermargin/crypto/vdaf"
)

// Constants of circl's Prio3 XOF, VDAF draft section 6.2.
const (
	xofVersion        = 12 // circl v1.6 writes draft version 12 here
	algoHistogram     = 4
	usageJointRandPrt = 7
	seedSize          = 32
	fieldSize         = 16
)

// AddOne adds one to bucket b of metric i in the measurement that shares
// s encode. The result encodes two ones when b differs from the honest
// bucket and a two when it is the same: either way not a one-hot vector.
func AddOne(v *vdaf.VDAF, s *vdaf.Shares, nonce *vdaf.Nonce,
	i int, b int) error {
	if b < 0 || b >= v.Buckets(i) {
		return errors.New("vdaftest: bucket out of range")
	}
	leader := s.Input[vdaf.Leader][i]
	measLen := v.Buckets(i) * fieldSize
	blind := leader[len(leader)-seedSize:]

	var x fp128.Fp
	elt := leader[b*fieldSize : (b+1)*fieldSize]
	if err := x.UnmarshalBinary(elt); err != nil {
		return err
	}
	var one fp128.Fp
	one.SetOne()
	x.AddAssign(&one)
	enc, err := x.MarshalBinary()
	if err != nil {
		return err
	}
	copy(elt, enc)

	part := jointRandPart(v.Context(i), blind, 0, nonce[:], leader[:measLen])
	copy(s.Public[i][:seedSize], part)
	return nil
}

// jointRandPart is the aggregator's joint randomness part, VDAF draft
// section 7.2.1.2, with circl's XofTurboShake128 framing.
func jointRandPart(ctx, blind []byte, agg byte, nonce, meas []byte) []byte {
	dstLen := 8 + len(ctx)
	var in []byte
	in = binary.LittleEndian.AppendUint16(in, uint16(dstLen))
	in = append(in, xofVersion, 0)
	in = binary.BigEndian.AppendUint32(in, algoHistogram)
	in = binary.BigEndian.AppendUint16(in, usageJointRandPrt)
	in = append(in, ctx...)
	in = append(in, seedSize)
	in = append(in, blind...)
	in = append(in, agg)
	in = append(in, nonce...)
	in = append(in, meas...)
	return turboShake128(in, 0x01, seedSize)
}
