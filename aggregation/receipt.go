package aggregation

import (
	"fmt"

	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/crypto/wire"
)

// receiptVersion is the version of the receipt encoding below.
const receiptVersion = 1

// Receipt is an aggregator's signed word that it stored a report. The
// company keeps it; with the report's hash it can later show that the
// aggregator held exactly that report, and an auditor can check the
// report id against the Merkle root of a statement.
type Receipt struct {
	Report     ReportID
	Batch      BatchID
	Company    string
	Role       Role
	Time       int64 // unix seconds when the aggregator stored it
	ReportHash [32]byte
	KeyID      string // of the aggregator's statement key
	Signature  []byte
}

// SignedBytes is what the aggregator signs, under sign.KindReceipt:
// version, report id, cohort, period, methodology, company, role, time,
// report hash and key id, in wire framing.
func (r *Receipt) SignedBytes() []byte {
	var b wire.Builder
	b.AddUint64(receiptVersion)
	b.AddBytes(r.Report[:])
	b.AddString(r.Batch.Cohort)
	b.AddString(r.Batch.Period)
	b.AddString(r.Batch.Methodology)
	b.AddString(r.Company)
	b.AddUint64(uint64(r.Role))
	b.AddUint64(uint64(r.Time))
	b.AddBytes(r.ReportHash[:])
	b.AddString(r.KeyID)
	return b.Bytes()
}

// Verify checks the receipt's signature with the aggregator's statement
// key.
func (r *Receipt) Verify(key *sign.Verifier) error {
	if r.KeyID != key.KeyID() {
		return fmt.Errorf("receipt for report %s: signed by key %q, want "+
			"%q: %w", r.Report, clip(r.KeyID), key.KeyID(), ErrSignature)
	}
	err := key.Verify(sign.KindReceipt, r.SignedBytes(), r.Signature)
	if err != nil {
		return fmt.Errorf("receipt for report %s: %w", r.Report,
			ErrSignature)
	}
	return nil
}

// receipt signs a receipt for a report this aggregator just stored.
func (a *Aggregator) receipt(r *Report, at int64) (*Receipt, error) {
	rc := &Receipt{Report: r.ID, Batch: r.Batch, Company: r.Company,
		Role: a.cfg.Role, Time: at, ReportHash: r.Hash(), KeyID: a.keyID}
	sig, err := a.cfg.StatementKey.Sign(sign.KindReceipt, rc.SignedBytes())
	if err != nil {
		return nil, fmt.Errorf("sign receipt: %w", err)
	}
	rc.Signature = sig
	return rc, nil
}
