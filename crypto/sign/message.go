package sign

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// SignatureSize is the length of every signature: a plain Ed25519
// signature, with no Tink prefix.
const SignatureSize = 64

// ErrBadSignature is wrapped by every error Verify returns.
var ErrBadSignature = errors.New("bad signature")

// Kind says what a signature is for. It is signed along with the
// message, so a signature made for one kind never verifies as another.
type Kind string

// The kinds of message InferMargin signs. Each string is versioned: a
// new layout of the signed message gets a new kind.
const (
	// KindReport is a company's signature over a report.
	KindReport Kind = "infermargin/report/v1"
	// KindStatement is an aggregator's signature over the statement it
	// makes when it releases an aggregate share.
	KindStatement Kind = "infermargin/statement/v1"
	// KindReceipt is an aggregator's signature over the receipt it gives
	// a collector for an upload.
	KindReceipt Kind = "infermargin/receipt/v1"
	// KindEnrollment is a company's signature over its enrollment, and
	// over later changes to it such as a cohort reassignment.
	KindEnrollment Kind = "infermargin/enrollment/v1"
	// KindRequest is a company's signature over an HTTP request, the
	// way a member company authenticates to read its cohort's private
	// results.
	KindRequest Kind = "infermargin/request/v1"
)

// known reports whether k is one of the kinds above. Sign and Verify
// refuse any other, so each signing domain is listed here for auditors.
func (k Kind) known() bool {
	switch k {
	case KindReport, KindStatement, KindReceipt, KindEnrollment,
		KindRequest:
		return true
	}
	return false
}

// Message returns the bytes that are actually signed for msg of kind:
//
//	uint32 big-endian len(kind) || kind || msg
//
// Auditors recompute it to check a signature with any Ed25519 library.
// The length prefix makes the split between kind and msg unambiguous.
func Message(kind Kind, msg []byte) []byte {
	b := make([]byte, 0, 4+len(kind)+len(msg))
	b = binary.BigEndian.AppendUint32(b, uint32(len(kind)))
	b = append(b, kind...)
	return append(b, msg...)
}

// Sign signs Message(kind, msg). kind must be one of the Kind constants.
func (s *Signer) Sign(kind Kind, msg []byte) ([]byte, error) {
	if s == nil || s.s == nil {
		return nil, errors.New("sign: no signing key")
	}
	if !kind.known() {
		return nil, fmt.Errorf("sign: unknown kind %q", kind)
	}
	sig, err := s.s.Sign(Message(kind, msg))
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", kind, err)
	}
	return sig, nil
}

// Verify checks that sig is v's signature over Message(kind, msg). Every
// failure, an unknown kind included, wraps ErrBadSignature.
func (v *Verifier) Verify(kind Kind, msg, sig []byte) error {
	if v == nil || v.v == nil {
		return fmt.Errorf("verify: no key: %w", ErrBadSignature)
	}
	if !kind.known() {
		return fmt.Errorf("verify: unknown kind %q: %w",
			kind, ErrBadSignature)
	}
	if len(sig) != SignatureSize {
		return fmt.Errorf("verify %s: signature of %d bytes: %w",
			kind, len(sig), ErrBadSignature)
	}
	if err := v.v.Verify(sig, Message(kind, msg)); err != nil {
		return fmt.Errorf("verify %s: %w", kind, ErrBadSignature)
	}
	return nil
}
