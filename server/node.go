package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/store"
)

// Directory is the enrolled companies of a store, as an aggregator
// looks them up.
type Directory struct {
	Store store.Store
}

// Verifier implements aggregation.Companies.
func (d Directory) Verifier(ctx context.Context, company string) (
	*sign.Verifier, error) {
	c, err := d.Store.Company(ctx, company)
	if err != nil {
		return nil, err
	}
	v, err := sign.ParseVerifier(c.Key)
	if err != nil {
		return nil, fmt.Errorf("company %q: stored key: %w", company, err)
	}
	return v, nil
}

// Enroll registers a company's report-signing key on this node.
func (s *Server) Enroll(ctx context.Context, company string,
	key *sign.Verifier) error {
	b, err := key.MarshalBinary()
	if err != nil {
		return fmt.Errorf("enroll %q: %w", company, err)
	}
	return s.cfg.Store.PutCompany(ctx, &store.Company{ID: company, Key: b,
		EnrolledAt: s.cfg.Now().UTC()})
}

// OpenBatch opens a batch for uploads on this node.
func (s *Server) OpenBatch(ctx context.Context, b aggregation.BatchID) error {
	return s.cfg.Aggregator.OpenBatch(ctx, b)
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
// either aggregator refuses the release for being below its threshold,
// the batch is published with every metric suppressed and the reason,
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
