// Package collect is the collector's run: it reads its configuration,
// fetches a month of provider data, computes the five metrics, shows
// the founder every figure, and uploads the report to both
// aggregators, keeping their signed receipts.
//
// Keys are secret references (vault://, env://, file://) in the
// configuration, resolved only when a provider is called; they are
// never flag values and never appear in an error, a progress line or
// the summary. Raw figures and metric values stay on the machine:
// only the report leaves it, bucket indices split into Prio3 shares,
// each aggregator's encrypted to it and the whole signed.
//
// The metrics of each month computed are kept on the machine, in the
// folder Config.MetricsDir names, for `infermargin dashboard`.
//
// The package does not enroll companies, create the aggregators' keys
// or retry an upload on its own.
package collect

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/infermargin/infermargin/client/metrics"
	"github.com/infermargin/infermargin/methodology"
)

// Compute fetches the data of period (YYYY-MM), computes its metrics
// and buckets them: everything a dry run shows. It keeps the metrics
// on this machine for the dashboard (see Keep). Progress lines go to
// progress, which may be nil.
func Compute(ctx context.Context, c *Config, period string,
	progress io.Writer) (*Summary, Stats, error) {
	p, err := metrics.ParsePeriod(period)
	if err != nil {
		return nil, Stats{}, err
	}
	m, err := methodology.Load(c.methodology())
	if err != nil {
		return nil, Stats{}, fmt.Errorf("methodology: %w", err)
	}
	in, st, err := Fetch(ctx, c, p, progress)
	if err != nil {
		return nil, st, err
	}
	r, err := metrics.Compute(in, p)
	if err != nil {
		return nil, st, err
	}
	s, err := NewSummary(m, r)
	if err != nil {
		return nil, st, err
	}
	s.UnknownAI = st.UnknownAI
	if err := c.Keep(ctx, s, time.Now()); err != nil {
		return nil, st, err
	}
	return s, st, nil
}

func (c *Config) methodology() string {
	if c.Methodology == "" {
		return DefaultMethodology
	}
	return c.Methodology
}
