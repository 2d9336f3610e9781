package aggregation

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/infermargin/infermargin/crypto/hpke"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/crypto/vdaf"
	"github.com/infermargin/infermargin/crypto/wire"
)

// ShareRequest asks the helper for its aggregate share of a batch. It
// carries the leader's count and checksum, which the helper must match.
type ShareRequest struct {
	Batch    BatchID
	Tier     Tier
	Count    uint64
	Checksum [32]byte
}

// Release is one aggregator's release of a batch: its signed statement
// and, per metric, its aggregate share encrypted to the publisher.
type Release struct {
	Statement *Statement
	Shares    [][]byte
}

// Collection is both aggregators' releases of one batch.
type Collection struct {
	Batch    BatchID
	Tier     Tier
	Releases [2]*Release
}

// tally is one aggregator's view of a batch's aggregated reports.
type tally struct {
	ids       []ReportID
	companies []string // whose reports ids are, sorted
	checksum  [32]byte
	agg       *vdaf.AggShare
}

// Collect is the leader's side of a release: it asks the helper for its
// share, checks the helper's statement against its own view, and
// releases its own. Either side refuses on its own below the threshold
// of the tier or when the two views differ.
func (a *Aggregator) Collect(ctx context.Context, b BatchID, tier Tier,
	peer Peer) (*Collection, error) {
	if a.cfg.Role != Leader {
		return nil, errors.New("collect: only the leader collects")
	}
	t, err := a.tally(ctx, b, tier)
	if err != nil {
		return nil, err
	}
	if err := a.guard(ctx, b, t); err != nil {
		return nil, err
	}

	req := &ShareRequest{Batch: b, Tier: tier,
		Count: uint64(len(t.ids)), Checksum: t.checksum}
	hr, err := peer.AggregateShare(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("collect %s: helper: %w", b, err)
	}
	if err := a.checkPeer(hr, b, tier, t); err != nil {
		return nil, err
	}
	if err := a.record(ctx, b, tier, t); err != nil {
		return nil, err
	}

	lr, err := a.release(b, tier, t)
	if err != nil {
		return nil, err
	}
	return &Collection{Batch: b, Tier: tier,
		Releases: [2]*Release{lr, hr}}, nil
}

// AggregateShare is the helper's side of a release.
func (a *Aggregator) AggregateShare(ctx context.Context, req *ShareRequest) (
	*Release, error) {
	if a.cfg.Role != Helper {
		return nil, errors.New("aggregate share: only the helper answers")
	}
	t, err := a.tally(ctx, req.Batch, req.Tier)
	if err != nil {
		return nil, err
	}
	if uint64(len(t.ids)) != req.Count || t.checksum != req.Checksum {
		return nil, fmt.Errorf("release %s: helper counted %d, leader %d: %w",
			req.Batch, len(t.ids), req.Count, ErrMismatch)
	}
	if err := a.record(ctx, req.Batch, req.Tier, t); err != nil {
		return nil, err
	}
	return a.release(req.Batch, req.Tier, t)
}

// tally gathers a closed batch's committed jobs and applies this side's
// own threshold. Only the leader insists that every report it holds was
// decided: the helper may hold reports the leader never received, and
// the count and checksum comparison already makes both sides agree on
// the set counted.
func (a *Aggregator) tally(ctx context.Context, b BatchID, tier Tier) (
	*tally, error) {
	if err := a.requireClosed(ctx, b); err != nil {
		return nil, err
	}
	if a.cfg.Role == Leader {
		n, err := a.cfg.Store.Undecided(ctx, b)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fmt.Errorf("release %s: %d reports: %w", b, n,
				ErrPending)
		}
	}
	t, err := a.sum(ctx, b)
	if err != nil {
		return nil, err
	}
	min := a.threshold(tier)
	if len(t.ids) < min {
		return nil, fmt.Errorf("release %s (%s): %d reports, threshold %d: %w",
			b, tier, len(t.ids), min, ErrBelowThreshold)
	}
	if t.companies, err = a.contributors(ctx, b, t); err != nil {
		return nil, err
	}
	return t, nil
}

func (a *Aggregator) sum(ctx context.Context, b BatchID) (*tally, error) {
	results, err := a.cfg.Store.Results(ctx, b)
	if err != nil {
		return nil, err
	}
	t := &tally{agg: a.v.NewAggShare()}
	for _, r := range results {
		for _, o := range r.Outcomes {
			if o.Accepted {
				t.ids = append(t.ids, o.ID)
			}
		}
		part, err := a.v.ParseAggShare(r.AggShare)
		if err != nil {
			return nil, fmt.Errorf("job %s: %w", r.Job, err)
		}
		if err := t.agg.Merge(part); err != nil {
			return nil, err
		}
	}
	t.checksum = Checksum(t.ids)
	return t, nil
}

func (a *Aggregator) threshold(tier Tier) int {
	if tier == Private {
		return a.cfg.Methodology.Thresholds.Private
	}
	return a.cfg.Methodology.Thresholds.Public
}

// checkPeer is the leader's own check of the helper's release.
func (a *Aggregator) checkPeer(r *Release, b BatchID, tier Tier,
	t *tally) error {
	if r == nil || r.Statement == nil {
		return fmt.Errorf("collect %s: helper sent no statement: %w", b,
			ErrStatement)
	}
	s := r.Statement
	if err := s.Verify(a.cfg.PeerStatementKey); err != nil {
		return err
	}
	switch {
	case s.Role != Helper, s.Batch != b, s.Tier != tier,
		s.MethodologyDigest != a.cfg.Methodology.Digest(),
		len(r.Shares) != a.v.NumMetrics():
		return fmt.Errorf("collect %s: helper statement is for another "+
			"release: %w", b, ErrStatement)
	case s.Count != uint64(len(t.ids)), s.Checksum != t.checksum,
		s.ReportsRoot != ReportsRoot(t.ids):
		return fmt.Errorf("collect %s: helper counted %d, leader %d: %w",
			b, s.Count, len(t.ids), ErrMismatch)
	}
	return nil
}

// release signs this side's statement and encrypts its shares to the
// publisher.
func (a *Aggregator) release(b BatchID, tier Tier, t *tally) (*Release,
	error) {
	m := a.cfg.Methodology
	s := &Statement{Role: a.cfg.Role, Batch: b, Tier: tier,
		MethodologyDigest: m.Digest(), Count: uint64(len(t.ids)),
		Checksum: t.checksum, ReportsRoot: ReportsRoot(t.ids),
		Noise: "none", Time: a.cfg.Now().Unix(),
		KeyID: a.keyID}
	r := &Release{Statement: s}
	for i := range m.Metrics {
		share, err := t.agg.MarshalMetric(i)
		if err != nil {
			return nil, err
		}
		name := m.Metrics[i].Name
		s.Metrics = append(s.Metrics, MetricShare{Name: name,
			Count: s.Count, ShareHash: sha256.Sum256(share)})
		ct, err := hpke.Seal(a.cfg.PublisherKey, share,
			aggShareInfo(s, name))
		if err != nil {
			return nil, fmt.Errorf("encrypt aggregate share: %w", err)
		}
		r.Shares = append(r.Shares, ct)
	}

	sig, err := a.cfg.StatementKey.Sign(sign.KindStatement, s.SignedBytes())
	if err != nil {
		return nil, fmt.Errorf("sign statement: %w", err)
	}
	s.Signature = sig
	return r, nil
}

// aggShareInfo is the HPKE context of an aggregate share: it opens only
// as the named metric of the release its statement describes.
func aggShareInfo(s *Statement, metric string) []byte {
	var b wire.Builder
	b.AddString("infermargin/hpke/aggregate-share/v1")
	b.AddString(s.Batch.String())
	b.AddString(s.Role.String())
	b.AddString(s.Tier.String())
	b.AddString(metric)
	return b.Bytes()
}
