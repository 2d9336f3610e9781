// Package inprocess wires a leader, a helper and a publisher together in
// one process, each with its own keys, in-memory store and company
// directory, the helper reached by direct calls. It is what the protocol
// tests and the one-process demo run on; it is not a deployment: real
// nodes keep their state in package server's stores and talk over HTTP.
package inprocess

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"sync"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/aggregation/memstore"
	"github.com/infermargin/infermargin/crypto/hpke"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/crypto/vdaf"
	"github.com/infermargin/infermargin/methodology"
)

// Directory is one aggregator's enrolled companies and cohort versions.
// It is safe for concurrent use.
type Directory struct {
	mu      sync.RWMutex
	keys    map[string]*sign.Verifier
	cohorts map[string]*aggregation.CohortVersion
}

func newDirectory() *Directory {
	return &Directory{keys: map[string]*sign.Verifier{},
		cohorts: map[string]*aggregation.CohortVersion{}}
}

// Cohort implements aggregation.Companies. A cohort version that
// SetCohort never named is every company enrolled at the time of the
// call: a convenience for protocol tests with one cohort, which a real
// node, whose versions never change, does not have.
func (d *Directory) Cohort(_ context.Context, ref string) (
	*aggregation.CohortVersion, error) {
	id, v, err := aggregation.ParseCohortRef(ref)
	if err != nil {
		return nil, err
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if c, ok := d.cohorts[ref]; ok {
		return c, nil
	}
	all := make([]string, 0, len(d.keys))
	for c := range d.keys {
		all = append(all, c)
	}
	slices.Sort(all)
	return &aggregation.CohortVersion{ID: id, Version: v, Members: all}, nil
}

// SetCohort records cohort version ref with members.
func (d *Directory) SetCohort(ref string, members []string) error {
	id, v, err := aggregation.ParseCohortRef(ref)
	if err != nil {
		return err
	}
	m := slices.Clone(members)
	slices.Sort(m)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cohorts[ref] = &aggregation.CohortVersion{ID: id, Version: v,
		Members: slices.Compact(m)}
	return nil
}

// Verifier implements aggregation.Companies.
func (d *Directory) Verifier(_ context.Context, c string) (*sign.Verifier,
	error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	v, ok := d.keys[c]
	if !ok {
		return nil, fmt.Errorf("company %q: %w", c,
			aggregation.ErrUnknownCompany)
	}
	return v, nil
}

// Add enrolls company with its report-signing key.
func (d *Directory) Add(company string, key *sign.Verifier) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.keys[company] = key
}

// System is a leader, a helper and a publisher.
type System struct {
	Methodology *methodology.Methodology
	Aggregators [2]*aggregation.Aggregator // by role
	Stores      [2]*memstore.Store
	Directories [2]*Directory
	ShareKeys   [2]*hpke.PublicKey
	// StatementKeys verify each aggregator's statements and receipts.
	StatementKeys [2]*sign.Verifier
	Publisher     *aggregation.Publisher

	mu      sync.Mutex
	signers map[string]*sign.Signer
}

// New returns a system for methodology m with fresh keys.
func New(m *methodology.Methodology) (*System, error) {
	s := &System{Methodology: m, signers: map[string]*sign.Signer{}}
	var vk vdaf.VerifyKey
	if _, err := rand.Read(vk[:]); err != nil {
		return nil, err
	}
	pubPriv, err := hpke.GenerateKey()
	if err != nil {
		return nil, err
	}
	pubKey, err := pubPriv.Public()
	if err != nil {
		return nil, err
	}

	var stmt [2]*sign.Verifier
	for _, role := range []aggregation.Role{aggregation.Helper,
		aggregation.Leader} {
		if stmt[role], err = s.newAggregator(role, m, vk, pubKey,
			stmt[aggregation.Helper]); err != nil {
			return nil, fmt.Errorf("%s: %w", role, err)
		}
	}
	s.StatementKeys = stmt
	s.Publisher, err = aggregation.NewPublisher(m, pubPriv, stmt[0], stmt[1])
	return s, err
}

// newAggregator builds one aggregator and returns its statement key.
func (s *System) newAggregator(role aggregation.Role,
	m *methodology.Methodology, vk vdaf.VerifyKey, pub *hpke.PublicKey,
	peer *sign.Verifier) (*sign.Verifier, error) {
	share, err := hpke.GenerateKey()
	if err != nil {
		return nil, err
	}
	if s.ShareKeys[role], err = share.Public(); err != nil {
		return nil, err
	}
	stmt, err := sign.GenerateSigner()
	if err != nil {
		return nil, err
	}
	s.Stores[role] = memstore.New()
	s.Directories[role] = newDirectory()
	cfg := aggregation.Config{Role: role, Methodology: m, VerifyKey: vk,
		ShareKey: share, StatementKey: stmt, PublisherKey: pub,
		Companies: s.Directories[role], Store: s.Stores[role]}
	if role == aggregation.Leader {
		cfg.PeerStatementKey = peer
	}
	if s.Aggregators[role], err = aggregation.NewAggregator(cfg); err != nil {
		return nil, err
	}
	return stmt.Verifier()
}

// Leader returns the leader.
func (s *System) Leader() *aggregation.Aggregator {
	return s.Aggregators[aggregation.Leader]
}

// Helper returns the helper.
func (s *System) Helper() *aggregation.Aggregator {
	return s.Aggregators[aggregation.Helper]
}

// Enroll gives a company a signing key, registers it with both
// aggregators and returns its client.
func (s *System) Enroll(company string) (*aggregation.Client, error) {
	key, err := sign.GenerateSigner()
	if err != nil {
		return nil, err
	}
	pub, err := key.Verifier()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.signers[company] = key
	s.mu.Unlock()
	for _, d := range s.Directories {
		d.Add(company, pub)
	}
	return aggregation.NewClient(s.Methodology, company, key,
		s.ShareKeys[0], s.ShareKeys[1])
}

// Signer returns an enrolled company's signing key, for tests that play
// a misbehaving company.
func (s *System) Signer(company string) *sign.Signer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signers[company]
}

// SetCohort records cohort version ref with members on both
// aggregators.
func (s *System) SetCohort(ref string, members []string) error {
	for _, d := range s.Directories {
		if err := d.SetCohort(ref, members); err != nil {
			return err
		}
	}
	return nil
}

// Open opens batch b on both aggregators, the helper checking the
// leader's digest of the batch's cohort version.
func (s *System) Open(ctx context.Context, b aggregation.BatchID) error {
	c, err := s.Directories[aggregation.Leader].Cohort(ctx, b.Cohort)
	if err != nil {
		return err
	}
	return s.both(func(a *aggregation.Aggregator) error {
		return a.OpenBatch(ctx, b, c.Digest())
	})
}

// Close closes batch b on both aggregators.
func (s *System) Close(ctx context.Context, b aggregation.BatchID) error {
	return s.both(func(a *aggregation.Aggregator) error {
		return a.CloseBatch(ctx, b)
	})
}

func (s *System) both(f func(a *aggregation.Aggregator) error) error {
	for _, a := range s.Aggregators {
		if err := f(a); err != nil {
			return fmt.Errorf("%s: %w", a.Role(), err)
		}
	}
	return nil
}

// Upload sends r to both aggregators and returns each one's error.
func (s *System) Upload(ctx context.Context, r *aggregation.Report) [2]error {
	var errs [2]error
	for role, a := range s.Aggregators {
		_, errs[role] = a.Upload(ctx, r)
	}
	return errs
}

// Aggregate runs the leader's jobs over batch b, size reports a job.
func (s *System) Aggregate(ctx context.Context, b aggregation.BatchID,
	size int) (aggregation.JobStats, error) {
	return s.Leader().RunJobs(ctx, b, s.Helper(), size)
}

// Publish collects batch b for tier from both aggregators and publishes
// it.
func (s *System) Publish(ctx context.Context, b aggregation.BatchID,
	tier aggregation.Tier) (*aggregation.Published, error) {
	c, err := s.Leader().Collect(ctx, b, tier, s.Helper())
	if err != nil {
		return nil, err
	}
	return s.Publisher.Publish(c)
}
