package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/store"
)

// Directory is the approved companies and the cohort versions of a
// store, as an aggregator looks them up. Cohort versions never change,
// so it keeps the ones it has read: an upload checks membership without
// reading the members again.
type Directory struct {
	store  store.Store
	mu     sync.Mutex
	cohort map[string]*aggregation.CohortVersion
}

// maxCachedCohorts bounds the cache; past it, the cache starts over.
const maxCachedCohorts = 1024

// NewDirectory returns the directory of st.
func NewDirectory(st store.Store) *Directory {
	return &Directory{store: st,
		cohort: map[string]*aggregation.CohortVersion{}}
}

// Verifier implements aggregation.Companies.
func (d *Directory) Verifier(ctx context.Context, company string) (
	*sign.Verifier, error) {
	c, err := d.store.Company(ctx, company)
	if err != nil {
		return nil, err
	}
	v, err := sign.ParseVerifier(c.Key)
	if err != nil {
		return nil, fmt.Errorf("company %q: stored key: %w", company, err)
	}
	return v, nil
}

// Cohort implements aggregation.Companies.
func (d *Directory) Cohort(ctx context.Context, ref string) (
	*aggregation.CohortVersion, error) {
	d.mu.Lock()
	c, ok := d.cohort[ref]
	d.mu.Unlock()
	if ok {
		return c, nil
	}
	id, v, err := aggregation.ParseCohortRef(ref)
	if err != nil {
		return nil, err
	}
	if c, err = d.store.Cohort(ctx, id, v); err != nil {
		return nil, err
	}
	d.mu.Lock()
	if len(d.cohort) >= maxCachedCohorts {
		clear(d.cohort)
	}
	d.cohort[ref] = c
	d.mu.Unlock()
	return c, nil
}

// OpenBatch opens a batch for uploads. The leader first has the helper
// open it, sending its digest of the batch's cohort version: the helper
// opens only when it holds the same version, with the same members, so
// a batch is open on both nodes or on neither. The helper opens only at
// the leader's request.
func (s *Server) OpenBatch(ctx context.Context, b aggregation.BatchID) error {
	if s.role != aggregation.Leader {
		return errors.New("open: the leader opens batches on both nodes")
	}
	c, err := s.cfg.Aggregator.CheckCohort(ctx, b)
	if err != nil {
		return err
	}
	if err := s.cfg.Peer.OpenBatch(ctx, b, c.Digest()); err != nil &&
		!errors.Is(err, aggregation.ErrBatchExists) {
		return fmt.Errorf("open %s on the helper: %w", b, err)
	}
	return s.cfg.Aggregator.OpenBatch(ctx, b, c.Digest())
}

// CloseBatch ends uploads to a batch on this node.
func (s *Server) CloseBatch(ctx context.Context, b aggregation.BatchID) error {
	return s.cfg.Aggregator.CloseBatch(ctx, b)
}

// Aggregate runs the leader's jobs over every undecided report of a
// closed batch. Running it again, or after a crash, counts nothing
// twice.
func (s *Server) Aggregate(ctx context.Context, b aggregation.BatchID) (
	aggregation.JobStats, error) {
	if s.role != aggregation.Leader {
		return aggregation.JobStats{}, errors.New("aggregate: only the " +
			"leader drives jobs")
	}
	st, err := s.cfg.Aggregator.RunJobs(ctx, b, s.cfg.Peer, s.cfg.JobSize)
	s.m.decided.WithLabelValues("accepted").Add(float64(st.Accepted))
	s.m.decided.WithLabelValues("rejected").Add(float64(st.Rejected))
	return st, err
}

// Collect gathers both aggregators' releases of a batch, each still
// encrypted to the publisher.
func (s *Server) Collect(ctx context.Context, b aggregation.BatchID,
	tier aggregation.Tier) (*aggregation.Collection, error) {
	if s.role != aggregation.Leader {
		return nil, errors.New("collect: only the leader collects")
	}
	return s.cfg.Aggregator.Collect(ctx, b, tier, s.cfg.Peer)
}

// Publish collects a batch for a tier and publishes the result. When
// either aggregator refuses the release for being below its threshold
// or by the differencing guard, the batch is published with every
// metric suppressed and the reason,
// so the public sees that the cohort exists but no number about it.
// Publication is final: publishing a batch and tier twice fails.
func (s *Server) Publish(ctx context.Context, b aggregation.BatchID,
	tier aggregation.Tier) (*api.Report, error) {
	if _, err := s.cfg.Store.Publication(ctx, api.PublicationID(b, tier)); err == nil {
		return nil, fmt.Errorf("publish %s: %w", b, store.ErrPublished)
	}
	p, err := s.published(ctx, b, tier)
	if err != nil {
		return nil, err
	}

	now := s.cfg.Now().UTC()
	rep, err := api.FromPublished(p, now)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.PutPublication(ctx, &store.Publication{ID: rep.ID,
		Batch: b, Tier: tier, PublishedAt: now, Body: body})
	if err != nil {
		return nil, err
	}
	s.m.published.WithLabelValues(tier.String(),
		fmt.Sprint(rep.Summary().Suppressed)).Inc()
	return rep, nil
}

func (s *Server) published(ctx context.Context, b aggregation.BatchID,
	tier aggregation.Tier) (*aggregation.Published, error) {
	c, err := s.Collect(ctx, b, tier)
	if errors.Is(err, aggregation.ErrDifferencing) {
		return aggregation.Suppressed(s.cfg.Methodology, b, tier,
			differencingReason(err)), nil
	}
	if errors.Is(err, aggregation.ErrBelowThreshold) {
		min := s.cfg.Methodology.Thresholds.Public
		if tier == aggregation.Private {
			min = s.cfg.Methodology.Thresholds.Private
		}
		reason := fmt.Sprintf("fewer than %d reports in the cohort, "+
			"the %s threshold", min, tier)
		return aggregation.Suppressed(s.cfg.Methodology, b, tier,
			reason), nil
	}
	if err != nil {
		return nil, err
	}
	return s.cfg.Publisher.Publish(c)
}

// differencingReason is the guard's refusal as the public reads it:
// the aggregator's sentence, without the error chain around it.
func differencingReason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "release "); i >= 0 {
		msg = msg[i:]
	}
	msg = strings.TrimSuffix(msg, ": "+aggregation.ErrDifferencing.Error())
	return "blocked by the differencing guard: " + msg
}
