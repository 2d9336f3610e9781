package aggregation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/infermargin/infermargin/crypto/hpke"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/crypto/vdaf"
	"github.com/infermargin/infermargin/crypto/wire"
	"github.com/infermargin/infermargin/methodology"
)

// Companies tells an aggregator which companies its operator approved,
// their report-signing keys and the cohorts they are members of. Each
// aggregator keeps its own, so a leader cannot invent companies, or
// members of a cohort, that the helper never approved.
type Companies interface {
	// Verifier returns an approved company's key, or an error wrapping
	// ErrUnknownCompany.
	Verifier(ctx context.Context, company string) (*sign.Verifier, error)
	// Cohort returns a cohort version, named "id@version", or an error
	// wrapping ErrUnknownCohort.
	Cohort(ctx context.Context, ref string) (*CohortVersion, error)
}

// Config is what an aggregator needs to run. Every field is required
// unless its comment says otherwise.
type Config struct {
	Role        Role
	Methodology *methodology.Methodology
	// VerifyKey is the Prio3 verification key, the same on both
	// aggregators and secret from everyone else.
	VerifyKey vdaf.VerifyKey
	// ShareKey decrypts this aggregator's input shares.
	ShareKey *hpke.PrivateKey
	// StatementKey signs this aggregator's statements.
	StatementKey *sign.Signer
	// PeerStatementKey verifies the other aggregator's statements. The
	// helper may leave it nil: it never reads the leader's statement.
	PeerStatementKey *sign.Verifier
	// PublisherKey is the key aggregate shares are encrypted to.
	PublisherKey *hpke.PublicKey
	Companies    Companies
	Store        Store
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Instance names this replica of the node in job leases; replicas
	// sharing a store need distinct names. Empty is a fine name for a
	// node with one replica.
	Instance string
	// JobLease is how long a leader replica holds a job it claimed
	// before another replica may take it over; zero means one minute.
	JobLease time.Duration
}

// Aggregator is one of the two aggregators.
type Aggregator struct {
	cfg   Config
	v     *vdaf.VDAF
	keyID string // of StatementKey, named in every statement
}

// NewAggregator checks cfg and returns an aggregator.
func NewAggregator(cfg Config) (*Aggregator, error) {
	if cfg.Role != Leader && cfg.Role != Helper {
		return nil, fmt.Errorf("new aggregator: %s", cfg.Role)
	}
	switch {
	case cfg.Methodology == nil, cfg.ShareKey == nil,
		cfg.StatementKey == nil, cfg.PublisherKey == nil,
		cfg.Companies == nil, cfg.Store == nil:
		return nil, errors.New("new aggregator: missing configuration")
	case cfg.Role == Leader && cfg.PeerStatementKey == nil:
		return nil, errors.New("new aggregator: leader needs the " +
			"helper's statement key")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.JobLease <= 0 {
		cfg.JobLease = time.Minute
	}
	v, err := NewVDAF(cfg.Methodology)
	if err != nil {
		return nil, fmt.Errorf("new aggregator: %w", err)
	}
	pub, err := cfg.StatementKey.Verifier()
	if err != nil {
		return nil, fmt.Errorf("new aggregator: statement key: %w", err)
	}
	return &Aggregator{cfg: cfg, v: v, keyID: pub.KeyID()}, nil
}

// Role returns the aggregator's role.
func (a *Aggregator) Role() Role { return a.cfg.Role }

// OpenBatch opens a batch for uploads. The batch's cohort version must
// be one this aggregator holds, with digest want when want is not zero
// (the other aggregator's digest of it), and with at least the private
// threshold of members: a cohort narrower than that could never be
// released safely, so it collects nothing.
func (a *Aggregator) OpenBatch(ctx context.Context, b BatchID,
	want [32]byte) error {
	c, err := a.CheckCohort(ctx, b)
	if err != nil {
		return err
	}
	if want != ([32]byte{}) && c.Digest() != want {
		return fmt.Errorf("open %s: this aggregator's cohort %s has "+
			"other members or criteria than the other aggregator's: %w",
			b, c.Ref(), ErrCohortMismatch)
	}
	return a.cfg.Store.OpenBatch(ctx, b, a.cfg.Now())
}

// CheckCohort checks that batch b may open here: its id is well formed,
// its methodology is this aggregator's, and its cohort version exists
// with at least the private threshold of members. It returns the
// cohort version.
func (a *Aggregator) CheckCohort(ctx context.Context, b BatchID) (
	*CohortVersion, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	if b.Methodology != a.cfg.Methodology.Version {
		return nil, fmt.Errorf("open %s: %w", b, ErrMethodology)
	}
	c, err := a.cfg.Companies.Cohort(ctx, b.Cohort)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", b, err)
	}
	if min := a.cfg.Methodology.Thresholds.Private; len(c.Members) < min {
		return nil, fmt.Errorf("open %s: cohort %s has %d approved "+
			"members, fewer than %d, the private threshold; a result "+
			"about so few companies could never be released: %w",
			b, c.Ref(), len(c.Members), min, ErrNarrowCohort)
	}
	return c, nil
}

// CloseBatch ends uploads to a batch, so it can be aggregated.
func (a *Aggregator) CloseBatch(ctx context.Context, b BatchID) error {
	return a.cfg.Store.CloseBatch(ctx, b, a.cfg.Now())
}

// Upload checks a report and stores this aggregator's copy. It checks, in
// order: shape, methodology, company approval, signature, membership of
// the batch's cohort version, that its own
// share decrypts and passes the Prio3 consistency check, then stores it
// atomically with the batch-open and replay checks. A refused report
// changes nothing stored. A stored report gets a signed receipt.
func (a *Aggregator) Upload(ctx context.Context, r *Report) (*Receipt,
	error) {
	if err := r.checkShape(); err != nil {
		return nil, err
	}
	if err := a.checkMethodology(r); err != nil {
		return nil, err
	}
	if err := a.checkSignature(ctx, r); err != nil {
		return nil, err
	}
	if err := a.checkMember(ctx, r); err != nil {
		return nil, err
	}
	if _, _, err := a.prepInit(r); err != nil {
		return nil, err
	}

	now := a.cfg.Now()
	if err := a.cfg.Store.PutReport(ctx, r, now); err != nil {
		return nil, err
	}
	return a.receipt(r, now.Unix())
}

func (a *Aggregator) checkMethodology(r *Report) error {
	if r.Batch.Methodology != a.cfg.Methodology.Version {
		return fmt.Errorf("report %s for %s: %w", r.ID, r.Batch,
			ErrMethodology)
	}
	if n := a.v.NumMetrics(); len(r.Public) != n {
		return fmt.Errorf("report %s: %d public shares, want %d: %w",
			r.ID, len(r.Public), n, ErrMalformed)
	}
	return nil
}

func (a *Aggregator) checkSignature(ctx context.Context, r *Report) error {
	key, err := a.cfg.Companies.Verifier(ctx, r.Company)
	if err != nil {
		return fmt.Errorf("report %s: company %q: %w", r.ID, r.Company, err)
	}
	err = key.Verify(sign.KindReport, r.SignedBytes(), r.Signature)
	if err != nil {
		return fmt.Errorf("report %s: %w", r.ID, ErrSignature)
	}
	return nil
}

// checkMember refuses a report from a company that is not a member of
// its batch's cohort version. No batch opens without its cohort
// version, so an unknown version is an unknown batch.
func (a *Aggregator) checkMember(ctx context.Context, r *Report) error {
	c, err := a.cfg.Companies.Cohort(ctx, r.Batch.Cohort)
	if errors.Is(err, ErrUnknownCohort) {
		return fmt.Errorf("report %s: batch %s: %w", r.ID, r.Batch,
			ErrUnknownBatch)
	}
	if err != nil {
		return fmt.Errorf("report %s: %w", r.ID, err)
	}
	if !c.Has(r.Company) {
		return fmt.Errorf("report %s: company %q is not a member of %s: %w",
			r.ID, r.Company, c.Ref(), ErrNotMember)
	}
	return nil
}

// prepInit decrypts this aggregator's input shares and starts Prio3
// preparation. It is deterministic, so a restarted aggregator redoes it.
func (a *Aggregator) prepInit(r *Report) (*vdaf.PrepState, [][]byte,
	error) {
	role := a.cfg.Role
	pt, err := hpke.Open(a.cfg.ShareKey, r.Shares[role], shareInfo(r, role))
	if err != nil {
		return nil, nil, fmt.Errorf("report %s: %w", r.ID, ErrDecrypt)
	}
	p := wire.NewParser(pt)
	input, err := p.BytesList()
	if err == nil {
		err = p.Done()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("report %s: input shares: %w",
			r.ID, ErrInvalidShare)
	}
	nonce := vdaf.Nonce(r.ID)
	st, prep, err := a.v.PrepInit(&a.cfg.VerifyKey, &nonce, uint8(role),
		r.Public, input)
	if err != nil {
		return nil, nil, fmt.Errorf("report %s: %w: %w", r.ID,
			ErrInvalidShare, err)
	}
	return st, prep, nil
}
