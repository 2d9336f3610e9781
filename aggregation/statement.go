package aggregation

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"

	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/crypto/wire"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

const statementVersion = 1

// MetricShare is what a statement says of one metric's aggregate share.
type MetricShare struct {
	Name  string
	Count uint64
	// ShareHash is the SHA-256 of the plaintext aggregate share, so the
	// publisher and auditors can tell it is the share that was attested.
	ShareHash [32]byte
}

// Statement is what an aggregator signs when it releases a batch's
// aggregate shares.
type Statement struct {
	Role              Role
	Batch             BatchID
	Tier              Tier
	MethodologyDigest string
	// Count is the number of reports aggregated; Checksum the XOR of the
	// SHA-256 of their ids; ReportsRoot the RFC 6962 Merkle root over
	// their ids in ascending order. A company holding its report id can
	// check its inclusion.
	Count       uint64
	Checksum    [32]byte
	ReportsRoot [32]byte
	Metrics     []MetricShare
	Noise       string // "none" in methodology v1
	Time        int64  // unix seconds
	KeyID       string
	Signature   []byte
}

// SignedBytes is the encoding of every field but the signature, what the
// aggregator signs under sign.KindStatement.
func (s *Statement) SignedBytes() []byte {
	var b wire.Builder
	s.addBody(&b)
	return b.Bytes()
}

func (s *Statement) addBody(b *wire.Builder) {
	b.AddUint64(statementVersion)
	b.AddUint64(uint64(s.Role))
	b.AddString(s.Batch.Cohort)
	b.AddString(s.Batch.Period)
	b.AddString(s.Batch.Methodology)
	b.AddUint64(uint64(s.Tier))
	b.AddString(s.MethodologyDigest)
	b.AddUint64(s.Count)
	b.AddBytes(s.Checksum[:])
	b.AddBytes(s.ReportsRoot[:])
	b.AddUint64(uint64(len(s.Metrics)))
	for _, m := range s.Metrics {
		b.AddString(m.Name)
		b.AddUint64(m.Count)
		b.AddBytes(m.ShareHash[:])
	}
	b.AddString(s.Noise)
	b.AddUint64(uint64(s.Time))
	b.AddString(s.KeyID)
}

// MarshalBinary encodes the statement with its signature.
func (s *Statement) MarshalBinary() ([]byte, error) {
	var b wire.Builder
	s.addBody(&b)
	b.AddBytes(s.Signature)
	return b.Bytes(), nil
}

// Verify checks the statement's signature with the aggregator's key.
func (s *Statement) Verify(key *sign.Verifier) error {
	err := key.Verify(sign.KindStatement, s.SignedBytes(), s.Signature)
	if err != nil {
		return fmt.Errorf("%s statement for %s: %w", s.Role, s.Batch,
			ErrStatement)
	}
	return nil
}

// ParseStatement decodes a statement from untrusted bytes. It does not
// verify the signature.
func ParseStatement(in []byte) (*Statement, error) {
	s := new(Statement)
	if err := s.parse(wire.NewParser(in)); err != nil {
		return nil, fmt.Errorf("statement: %w: %w", ErrMalformed, err)
	}
	return s, nil
}

func (s *Statement) parse(p *wire.Parser) error {
	r := reader{p: p}
	if v := r.uint(); r.err == nil && v != statementVersion {
		return fmt.Errorf("version %d, want %d", v, statementVersion)
	}
	s.Role = Role(r.small(2))
	s.Batch = BatchID{r.str(), r.str(), r.str()}
	s.Tier = Tier(r.small(2))
	s.MethodologyDigest = r.str()
	s.Count = r.uint()
	r.hash(&s.Checksum)
	r.hash(&s.ReportsRoot)
	n := r.small(maxReportMetrics + 1)
	for i := uint64(0); i < n && r.err == nil; i++ {
		m := MetricShare{Name: r.str(), Count: r.uint()}
		r.hash(&m.ShareHash)
		s.Metrics = append(s.Metrics, m)
	}
	s.Noise = r.str()
	s.Time = int64(r.uint())
	s.KeyID = r.str()
	s.Signature = r.bytes()
	if r.err != nil {
		return r.err
	}
	return p.Done()
}

// reader keeps the first error of a run of reads, so a decoder reads
// like the encoder it mirrors.
type reader struct {
	p   *wire.Parser
	err error
}

func (r *reader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	v, r.err = r.p.Uint64()
	return v
}

// small reads a uint64 that must be below max.
func (r *reader) small(max uint64) uint64 {
	v := r.uint()
	if r.err == nil && v >= max {
		r.err = fmt.Errorf("value %d out of range", v)
	}
	return v
}

func (r *reader) str() string {
	if r.err != nil {
		return ""
	}
	var s string
	s, r.err = r.p.String()
	return s
}

func (r *reader) bytes() []byte {
	if r.err != nil {
		return nil
	}
	var b []byte
	b, r.err = r.p.Bytes()
	return b
}

func (r *reader) hash(h *[32]byte) {
	b := r.bytes()
	if r.err == nil && len(b) != len(h) {
		r.err = fmt.Errorf("hash of %d bytes", len(b))
	}
	copy(h[:], b)
}

// Checksum is the XOR of the SHA-256 of each report id: equal sets give
// equal checksums whatever the order the two sides counted them in.
func Checksum(ids []ReportID) [32]byte {
	var sum [32]byte
	for _, id := range ids {
		h := sha256.Sum256(id[:])
		for i := range sum {
			sum[i] ^= h[i]
		}
	}
	return sum
}

// ReportsRoot is the RFC 6962 Merkle tree root over the report ids in
// ascending byte order, each id a leaf.
func ReportsRoot(ids []ReportID) [32]byte {
	sorted := slices.Clone(ids)
	slices.SortFunc(sorted, func(a, b ReportID) int {
		return bytes.Compare(a[:], b[:])
	})
	h := rfc6962.DefaultHasher
	var root [32]byte
	if len(sorted) == 0 {
		copy(root[:], h.EmptyRoot())
		return root
	}
	rf := compact.RangeFactory{Hash: h.HashChildren}
	r := rf.NewEmptyRange(0)
	for _, id := range sorted {
		// Append fails only for a hash of the wrong size.
		_ = r.Append(h.HashLeaf(id[:]), nil)
	}
	b, _ := r.GetRootHash(nil)
	copy(root[:], b)
	return root
}
