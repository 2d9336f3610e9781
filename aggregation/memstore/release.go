package memstore

import (
	"context"
	"slices"

	"github.com/infermargin/infermargin/aggregation"
)

// ReportCompanies implements aggregation.Store.
func (s *Store) ReportCompanies(_ context.Context, b aggregation.BatchID) (
	map[aggregation.ReportID]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[aggregation.ReportID]string{}
	for k, id := range s.current {
		if k.batch == b {
			out[id] = k.company
		}
	}
	return out, nil
}

// Releases implements aggregation.Store.
func (s *Store) Releases(_ context.Context, period, methodology string) (
	[]*aggregation.ReleaseRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.releasesOf(period, methodology), nil
}

// releasesOf copies the releases of a period and methodology, so that
// no caller holds what the store keeps.
func (s *Store) releasesOf(period,
	methodology string) []*aggregation.ReleaseRecord {
	var out []*aggregation.ReleaseRecord
	for _, r := range s.releases {
		if r.Batch.Period == period && r.Batch.Methodology == methodology {
			out = append(out, copyRelease(r))
		}
	}
	return out
}

// RecordRelease implements aggregation.Store. The store's lock is held
// across check, so no other release is recorded in between.
func (s *Store) RecordRelease(_ context.Context, r *aggregation.ReleaseRecord,
	check func([]*aggregation.ReleaseRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := check(s.releasesOf(r.Batch.Period,
		r.Batch.Methodology)); err != nil {
		return err
	}
	i := slices.IndexFunc(s.releases,
		func(x *aggregation.ReleaseRecord) bool {
			return x.Batch == r.Batch && x.Tier == r.Tier
		})
	if i < 0 {
		s.releases = append(s.releases, copyRelease(r))
	} else {
		s.releases[i] = copyRelease(r)
	}
	return nil
}

func copyRelease(r *aggregation.ReleaseRecord) *aggregation.ReleaseRecord {
	c := *r
	c.Companies = slices.Clone(r.Companies)
	return &c
}
