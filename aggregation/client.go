package aggregation

import (
	"fmt"

	"github.com/infermargin/infermargin/crypto/hpke"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/crypto/vdaf"
	"github.com/infermargin/infermargin/crypto/wire"
	"github.com/infermargin/infermargin/methodology"
)

// NewVDAF returns the Prio3 circuit of a methodology: one histogram per
// metric, in methodology order, bound to the methodology's digest.
func NewVDAF(m *methodology.Methodology) (*vdaf.VDAF, error) {
	specs := make([]vdaf.Spec, len(m.Metrics))
	for i := range m.Metrics {
		mt := &m.Metrics[i]
		specs[i] = vdaf.Spec{Name: mt.Name, Buckets: mt.NumBuckets()}
	}
	return vdaf.New(vdafContext(m), specs)
}

func vdafContext(m *methodology.Methodology) string {
	return "infermargin/" + m.Version + "/" + m.Digest()
}

// Client builds a company's reports. It holds public keys only, besides
// the company's own signing key.
type Client struct {
	m       *methodology.Methodology
	v       *vdaf.VDAF
	company string
	signer  *sign.Signer
	keys    [2]*hpke.PublicKey
}

// NewClient returns a client for company, reporting under methodology m
// to the aggregators whose HPKE public keys are leader and helper.
func NewClient(m *methodology.Methodology, company string,
	signer *sign.Signer, leader, helper *hpke.PublicKey) (*Client, error) {
	if err := checkCompany(company); err != nil {
		return nil, err
	}
	v, err := NewVDAF(m)
	if err != nil {
		return nil, err
	}
	return &Client{m: m, v: v, company: company, signer: signer,
		keys: [2]*hpke.PublicKey{leader, helper}}, nil
}

// NewReport shards one bucket index per metric, encrypts each
// aggregator's shares to it and signs the report. The bucket indices
// appear nowhere in the result but inside the shares.
func (c *Client) NewReport(batch BatchID, buckets []uint64) (*Report,
	error) {
	id, err := NewReportID()
	if err != nil {
		return nil, fmt.Errorf("report id: %w", err)
	}
	s, err := c.v.Shard(buckets, (*vdaf.Nonce)(&id))
	if err != nil {
		return nil, fmt.Errorf("shard: %w", err)
	}
	return c.Assemble(batch, id, s)
}

// Assemble encrypts and signs shares made with nonce id. NewReport is
// Shard followed by Assemble; tests call it with shares they forged.
func (c *Client) Assemble(batch BatchID, id ReportID, s *vdaf.Shares) (
	*Report, error) {
	if err := batch.Validate(); err != nil {
		return nil, err
	}
	if batch.Methodology != c.m.Version {
		return nil, fmt.Errorf("batch %s: client uses %s: %w",
			batch, c.m.Version, ErrMethodology)
	}
	r := &Report{ID: id, Batch: batch, Company: c.company, Public: s.Public}
	var err error
	for _, role := range []Role{Leader, Helper} {
		r.Shares[role], err = c.seal(r, role, s.Input[role])
		if err != nil {
			return nil, err
		}
	}

	r.Signature, err = c.signer.Sign(sign.KindReport, r.SignedBytes())
	if err != nil {
		return nil, fmt.Errorf("sign report: %w", err)
	}
	return r, nil
}

// VDAF returns the client's Prio3 circuit.
func (c *Client) VDAF() *vdaf.VDAF { return c.v }

func (c *Client) seal(r *Report, role Role, shares [][]byte) ([]byte,
	error) {
	var b wire.Builder
	b.AddBytesList(shares)
	ct, err := hpke.Seal(c.keys[role], b.Bytes(), shareInfo(r, role))
	if err != nil {
		return nil, fmt.Errorf("encrypt %s share: %w", role, err)
	}
	return ct, nil
}

// shareInfo is the HPKE context an input share is sealed under: the
// report id, the batch, the recipient's role and the public shares, so a
// ciphertext opens only in the report and for the role it was made for.
func shareInfo(r *Report, role Role) []byte {
	return hpke.Info(r.ID, r.Batch.String(), role.String(), r.Public)
}
