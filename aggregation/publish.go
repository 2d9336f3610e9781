package aggregation

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/infermargin/infermargin/crypto/hpke"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/crypto/vdaf"
	"github.com/infermargin/infermargin/methodology"
)

// Published is a batch's published result: per metric the percentiles as
// bucket ranges, or a suppression with its reason. It never holds a
// histogram or anything about one company.
type Published struct {
	Batch       BatchID
	Tier        Tier
	Methodology string
	Digest      string
	// Count is the number of reports both aggregators counted; zero when
	// the release was refused.
	Count   uint64
	Metrics []PublishedMetric
	// Statements are the two aggregators' signed statements, by role;
	// both nil when the release was refused.
	Statements [2]*Statement
}

// PublishedMetric is one metric of a published result.
type PublishedMetric struct {
	Name string
	// N is the number of reports with a defined value, the n the
	// percentiles are taken over.
	N           uint64
	Percentiles []methodology.Percentile
	Suppressed  bool
	Reason      string
}

// Publisher turns two releases into a published result. It alone holds
// the key aggregate shares are encrypted to, and it sees the cohort's
// histogram only in memory, on the way to the percentiles.
type Publisher struct {
	m    *methodology.Methodology
	v    *vdaf.VDAF
	key  *hpke.PrivateKey
	keys [2]*sign.Verifier
}

// NewPublisher returns a publisher for methodology m that decrypts with
// key and trusts the statements signed by the leader's and the helper's
// statement keys.
func NewPublisher(m *methodology.Methodology, key *hpke.PrivateKey,
	leader, helper *sign.Verifier) (*Publisher, error) {
	v, err := NewVDAF(m)
	if err != nil {
		return nil, err
	}
	return &Publisher{m: m, v: v, key: key,
		keys: [2]*sign.Verifier{leader, helper}}, nil
}

// Publish checks both statements, decrypts and unshards the aggregate
// shares and derives each metric's percentiles by the methodology's rule.
func (p *Publisher) Publish(c *Collection) (*Published, error) {
	if err := p.checkStatements(c); err != nil {
		return nil, err
	}
	s := c.Releases[Leader].Statement
	out := &Published{Batch: c.Batch, Tier: c.Tier,
		Methodology: p.m.Version, Digest: p.m.Digest(), Count: s.Count,
		Statements: [2]*Statement{s, c.Releases[Helper].Statement}}
	for i := range p.m.Metrics {
		hist, err := p.histogram(c, i)
		if err != nil {
			return nil, err
		}
		pm, err := p.metric(&p.m.Metrics[i], hist, c.Tier)
		if err != nil {
			return nil, err
		}
		out.Metrics = append(out.Metrics, pm)
	}
	return out, nil
}

// Histograms checks a collection as Publish does and returns each
// metric's histogram, in methodology order. Only the holder of the
// publisher key can call it, and nothing it returns is ever published:
// it is for an auditor, or a test, checking a release against the
// plaintext it came from.
func (p *Publisher) Histograms(c *Collection) ([][]uint64, error) {
	if err := p.checkStatements(c); err != nil {
		return nil, err
	}
	out := make([][]uint64, len(p.m.Metrics))
	for i := range p.m.Metrics {
		var err error
		if out[i], err = p.histogram(c, i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Suppressed is the published result of a batch whose release was
// refused: every metric suppressed, with the reason.
func Suppressed(m *methodology.Methodology, b BatchID, tier Tier,
	reason string) *Published {
	out := &Published{Batch: b, Tier: tier, Methodology: m.Version,
		Digest: m.Digest()}
	for _, mt := range m.Metrics {
		out.Metrics = append(out.Metrics, PublishedMetric{Name: mt.Name,
			Suppressed: true, Reason: reason})
	}
	return out
}

func (p *Publisher) checkStatements(c *Collection) error {
	var st [2]*Statement
	for _, role := range []Role{Leader, Helper} {
		r := c.Releases[role]
		if r == nil || r.Statement == nil ||
			len(r.Shares) != len(p.m.Metrics) {
			return fmt.Errorf("publish %s: no %s release: %w", c.Batch,
				role, ErrStatement)
		}
		s := r.Statement
		if err := s.Verify(p.keys[role]); err != nil {
			return err
		}
		if s.Role != role || s.Batch != c.Batch || s.Tier != c.Tier ||
			s.MethodologyDigest != p.m.Digest() ||
			len(s.Metrics) != len(p.m.Metrics) {
			return fmt.Errorf("publish %s: %s statement is for another "+
				"release: %w", c.Batch, role, ErrStatement)
		}
		st[role] = s
	}
	l, h := st[Leader], st[Helper]
	if l.Count != h.Count || l.Checksum != h.Checksum ||
		l.ReportsRoot != h.ReportsRoot {
		return fmt.Errorf("publish %s: leader counted %d, helper %d: %w",
			c.Batch, l.Count, h.Count, ErrMismatch)
	}
	return nil
}

// histogram decrypts both shares of metric i, checks them against the
// statements and unshards them.
func (p *Publisher) histogram(c *Collection, i int) ([]uint64, error) {
	name := p.m.Metrics[i].Name
	var shares [2][]byte
	for _, role := range []Role{Leader, Helper} {
		r := c.Releases[role]
		pt, err := hpke.Open(p.key, r.Shares[i], aggShareInfo(r.Statement,
			name))
		if err != nil {
			return nil, fmt.Errorf("publish %s: %s share of %s: %w",
				c.Batch, role, name, ErrDecrypt)
		}
		if sha256.Sum256(pt) != r.Statement.Metrics[i].ShareHash {
			return nil, fmt.Errorf("publish %s: %s share of %s differs "+
				"from its statement: %w", c.Batch, role, name, ErrStatement)
		}
		shares[role] = pt
	}

	n := c.Releases[Leader].Statement.Count
	hist, err := p.v.Unshard(i, shares[Leader], shares[Helper], n)
	if err != nil {
		return nil, fmt.Errorf("publish %s: %w", c.Batch, err)
	}
	var total uint64
	for _, x := range hist {
		total += x
	}
	if total != n {
		return nil, fmt.Errorf("publish %s: %s histogram holds %d of %d "+
			"reports: %w", c.Batch, name, total, n, ErrMismatch)
	}
	return hist, nil
}

// metric applies the tier's threshold to the defined values, then the
// percentile rule.
func (p *Publisher) metric(mt *methodology.Metric, hist []uint64,
	tier Tier) (PublishedMetric, error) {
	pm := PublishedMetric{Name: mt.Name}
	ps, n, err := p.m.Percentiles(mt, hist)
	pm.N = n
	min := uint64(p.m.Thresholds.Public)
	if tier == Private {
		min = uint64(p.m.Thresholds.Private)
	}
	switch {
	case errors.Is(err, methodology.ErrNoDefinedValues) || n < min:
		pm.Suppressed = true
		pm.Reason = fmt.Sprintf("%d reports with a defined value, below "+
			"the %s threshold of %d", n, tier, min)
		return pm, nil
	case err != nil:
		return pm, fmt.Errorf("percentiles of %s: %w", mt.Name, err)
	}
	pm.Percentiles = ps
	return pm, nil
}
