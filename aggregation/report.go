package aggregation

import (
	"crypto/sha256"
	"fmt"
	"regexp"

	"github.com/infermargin/infermargin/crypto/wire"
)

// reportVersion is the version of the report encoding below. A decoder
// refuses any other, so the format can change without ambiguity.
const reportVersion = 1

// Limits on a report's parts, checked before anything is decrypted.
const (
	maxCompanyLen    = 64
	maxPublicShare   = 256
	maxCiphertext    = 64 << 10
	maxSignature     = 256
	maxReportMetrics = 64
)

// Report is what a client uploads, identical for both aggregators: each
// decrypts only its own ciphertext.
type Report struct {
	ID      ReportID
	Batch   BatchID
	Company string
	// Public holds the Prio3 public share of each metric, in
	// methodology order.
	Public [][]byte
	// Shares holds, per Role, the HPKE ciphertext of that aggregator's
	// input shares.
	Shares [2][]byte
	// Signature is the company's signature over SignedBytes.
	Signature []byte
}

// SignedBytes is the encoding of every field but the signature: what the
// company signs, under sign.KindReport.
//
// Encoding, in wire framing (uint32 big-endian length prefixes):
// version (uint64), id, cohort, period, methodology, company, the list of
// public shares, the leader ciphertext, the helper ciphertext.
func (r *Report) SignedBytes() []byte {
	var b wire.Builder
	r.addBody(&b)
	return b.Bytes()
}

func (r *Report) addBody(b *wire.Builder) {
	b.AddUint64(reportVersion)
	b.AddBytes(r.ID[:])
	b.AddString(r.Batch.Cohort)
	b.AddString(r.Batch.Period)
	b.AddString(r.Batch.Methodology)
	b.AddString(r.Company)
	b.AddBytesList(r.Public)
	b.AddBytes(r.Shares[Leader])
	b.AddBytes(r.Shares[Helper])
}

// MarshalBinary encodes the report: SignedBytes followed by the
// signature.
func (r *Report) MarshalBinary() ([]byte, error) {
	var b wire.Builder
	r.addBody(&b)
	b.AddBytes(r.Signature)
	return b.Bytes(), nil
}

// Hash is the SHA-256 of the report's encoding. Receipts and statements
// refer to a stored report by it.
func (r *Report) Hash() [32]byte {
	b, _ := r.MarshalBinary()
	return sha256.Sum256(b)
}

// ParseReport decodes a report from untrusted bytes. It checks the
// framing, the sizes and the batch syntax; Upload checks the rest.
func ParseReport(in []byte) (*Report, error) {
	p := wire.NewParser(in)
	r := new(Report)
	v, err := p.Uint64()
	if err != nil {
		return nil, fmt.Errorf("report: %w: %w", ErrMalformed, err)
	}
	if v != reportVersion {
		return nil, fmt.Errorf("report: version %d, want %d: %w",
			v, reportVersion, ErrMalformed)
	}
	if err := r.parseBody(p); err != nil {
		return nil, fmt.Errorf("report: %w: %w", ErrMalformed, err)
	}
	if err := r.checkShape(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Report) parseBody(p *wire.Parser) error {
	id, err := p.Bytes()
	if err != nil {
		return err
	}
	if len(id) != len(r.ID) {
		return fmt.Errorf("report id of %d bytes", len(id))
	}
	copy(r.ID[:], id)
	for _, s := range []*string{&r.Batch.Cohort, &r.Batch.Period,
		&r.Batch.Methodology, &r.Company} {
		if *s, err = p.String(); err != nil {
			return err
		}
	}
	if r.Public, err = p.BytesList(); err != nil {
		return err
	}
	for i := range r.Shares {
		if r.Shares[i], err = p.Bytes(); err != nil {
			return err
		}
	}
	if r.Signature, err = p.Bytes(); err != nil {
		return err
	}
	return p.Done()
}

// checkShape checks what can be checked without keys: batch syntax,
// company id and sizes.
func (r *Report) checkShape() error {
	if err := r.Batch.Validate(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := checkCompany(r.Company); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if n := len(r.Public); n == 0 || n > maxReportMetrics {
		return fmt.Errorf("report: %d public shares: %w", n, ErrMalformed)
	}
	for i, s := range r.Public {
		if len(s) > maxPublicShare {
			return fmt.Errorf("report: public share %d of %d bytes: %w",
				i, len(s), ErrMalformed)
		}
	}
	for role, c := range r.Shares {
		if len(c) == 0 || len(c) > maxCiphertext {
			return fmt.Errorf("report: %s ciphertext of %d bytes: %w",
				Role(role), len(c), ErrMalformed)
		}
	}
	if n := len(r.Signature); n == 0 || n > maxSignature {
		return fmt.Errorf("report: signature of %d bytes: %w",
			n, ErrMalformed)
	}
	return nil
}

var companyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// CheckCompany reports whether c is a well-formed company id: lowercase
// letters, digits, - and _, starting with a letter or digit, at most 64
// bytes.
func CheckCompany(c string) error { return checkCompany(c) }

func checkCompany(c string) error {
	if len(c) > maxCompanyLen || !companyRE.MatchString(c) {
		return fmt.Errorf("company id %q: want lowercase letters, digits,"+
			" - and _, at most %d: %w", clip(c), maxCompanyLen, ErrMalformed)
	}
	return nil
}

// clip shortens a public input quoted in an error, so a huge field cannot
// make a huge error message.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
