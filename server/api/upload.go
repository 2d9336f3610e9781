package api

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/infermargin/infermargin/aggregation"
)

// Field limits, generous beside what aggregation accepts, so that a
// decoder never allocates much for a field it will refuse anyway.
const (
	maxList   = 64
	maxSmall  = 1 << 10
	maxCipher = 64 << 10
)

// Upload is a company's report, sent unchanged to both aggregators.
// Each holds both ciphertexts, and can open only the one sealed to it.
type Upload struct {
	ID           string   `json:"id"`
	Batch        Batch    `json:"batch"`
	Company      string   `json:"company"`
	PublicShares []string `json:"public_shares"`
	LeaderShare  string   `json:"leader_share"`
	HelperShare  string   `json:"helper_share"`
	Signature    string   `json:"signature"`
}

// FromReport encodes a report for upload.
func FromReport(r *aggregation.Report) *Upload {
	return &Upload{ID: r.ID.String(), Batch: FromBatch(r.Batch),
		Company: r.Company, PublicShares: encodeList(r.Public),
		LeaderShare: enc(r.Shares[aggregation.Leader]),
		HelperShare: enc(r.Shares[aggregation.Helper]),
		Signature:   enc(r.Signature)}
}

// Report decodes an upload. It checks encodings and sizes; the
// aggregator checks the rest.
func (u *Upload) Report() (*aggregation.Report, error) {
	r := &aggregation.Report{Company: u.Company,
		Batch: aggregation.BatchID(u.Batch)}
	if err := decodeHex("id", u.ID, r.ID[:]); err != nil {
		return nil, err
	}
	var err error
	r.Public, err = decodeList("public_shares", u.PublicShares, maxList,
		maxSmall)
	if err != nil {
		return nil, err
	}
	fields := []struct {
		name, in string
		out      *[]byte
		max      int
	}{
		{"leader_share", u.LeaderShare, &r.Shares[aggregation.Leader],
			maxCipher},
		{"helper_share", u.HelperShare, &r.Shares[aggregation.Helper],
			maxCipher},
		{"signature", u.Signature, &r.Signature, maxSmall},
	}
	for _, f := range fields {
		if *f.out, err = decode64(f.name, f.in, f.max); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Receipt is an aggregator's signed receipt for an upload.
type Receipt struct {
	Report     string    `json:"report_id"`
	Batch      Batch     `json:"batch"`
	Company    string    `json:"company"`
	Role       string    `json:"role"`
	StoredAt   time.Time `json:"stored_at"`
	ReportHash string    `json:"report_hash"`
	KeyID      string    `json:"key_id"`
	Signature  string    `json:"signature"`
}

// FromReceipt encodes a receipt.
func FromReceipt(r *aggregation.Receipt) *Receipt {
	return &Receipt{Report: r.Report.String(), Batch: FromBatch(r.Batch),
		Company: r.Company, Role: r.Role.String(),
		StoredAt:   time.Unix(r.Time, 0).UTC(),
		ReportHash: hex.EncodeToString(r.ReportHash[:]), KeyID: r.KeyID,
		Signature: enc(r.Signature)}
}

// Receipt decodes a receipt. Its signature is checked by
// aggregation.Receipt.Verify, not here.
func (r *Receipt) Receipt() (*aggregation.Receipt, error) {
	out := &aggregation.Receipt{Batch: aggregation.BatchID(r.Batch),
		Company: r.Company, Time: r.StoredAt.Unix(), KeyID: r.KeyID}
	if err := decodeHex("report_id", r.Report, out.Report[:]); err != nil {
		return nil, err
	}
	err := decodeHex("report_hash", r.ReportHash, out.ReportHash[:])
	if err != nil {
		return nil, err
	}
	if out.Role, err = aggregation.ParseRole(r.Role); err != nil {
		return nil, fmt.Errorf("receipt role: %w", err)
	}
	out.Signature, err = decode64("signature", r.Signature, maxSmall)
	return out, err
}
