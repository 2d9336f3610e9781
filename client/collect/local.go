package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/infermargin/infermargin/client/metrics"
	"github.com/infermargin/infermargin/crypto/wire"
)

// ErrNoMetricsDir means the configuration names no folder to keep
// metrics in: neither aggregators.metrics_dir nor receipts_dir.
var ErrNoMetricsDir = errors.New("no metrics folder: set " +
	"aggregators.metrics_dir or aggregators.receipts_dir")

// maxLocal bounds a kept metrics file; it holds a few metrics.
const maxLocal = 1 << 20

// Local is what a run keeps of a month on this machine, for the
// dashboard to set against the cohort's results: the metric values
// and their buckets, not the figures they came from. It is never sent,
// and it is kept encrypted under the company's key-encryption key
// (aggregators.kek), bound to the company and the month: with Vault
// Transit the key never sits on the machine; with a local KEK file,
// a copy of the metrics folder alone (a backup, a synced folder)
// reveals nothing.
type Local struct {
	Period      string                `json:"period"`
	Methodology MethodologyRef        `json:"methodology"`
	ComputedAt  time.Time             `json:"computed_at"`
	Metrics     map[string]LocalValue `json:"metrics"`
}

// LocalValue is one metric's value, nil when n/a, and the index of
// its bucket under the methodology.
type LocalValue struct {
	Value  *float64 `json:"value"`
	Bucket int      `json:"bucket"`
}

// MetricsDir returns the folder metrics are kept in: metrics_dir, or
// "metrics" beside receipts_dir. It is empty when neither is set.
func (c *Config) MetricsDir() string {
	a := c.Aggregators
	switch {
	case a == nil:
		return ""
	case a.MetricsDir != "":
		return a.MetricsDir
	case a.ReceiptsDir != "":
		return filepath.Join(filepath.Dir(a.ReceiptsDir), "metrics")
	}
	return ""
}

// localPurpose is the associated data a month's kept metrics are
// encrypted with: a file decrypts only as the company's, for its month.
func localPurpose(company, period string) []byte {
	var b wire.Builder
	b.AddString("infermargin/local-metrics/v1")
	b.AddString(company)
	b.AddString(period)
	return b.Bytes()
}

// MetricsPath returns the file the metrics of period are kept in.
func (c *Config) MetricsPath(period string) (string, error) {
	p, err := metrics.ParsePeriod(period)
	if err != nil {
		return "", err
	}
	dir := c.MetricsDir()
	if dir == "" {
		return "", ErrNoMetricsDir
	}
	return filepath.Join(dir, p.String()+".enc"), nil
}

// Keep keeps the metrics of s on this machine, see KeepLocal.
func (c *Config) Keep(ctx context.Context, s *Summary, now time.Time) error {
	return c.KeepLocal(ctx, s.local(now))
}

// KeepLocal writes l, encrypted, to the MetricsPath of its period,
// replacing an earlier run's, through a temporary file so a reader
// never sees half of one. Without a metrics folder or a key-encryption
// key configured it keeps nothing.
func (c *Config) KeepLocal(ctx context.Context, l *Local) error {
	path, err := c.MetricsPath(l.Period)
	switch {
	case errors.Is(err, ErrNoMetricsDir):
		return nil
	case err != nil:
		return fmt.Errorf("keep metrics: %w", err)
	case c.Aggregators.KEK == "":
		return nil // nothing to encrypt them with
	}
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("keep metrics: %w", err)
	}
	kek, err := OpenKEK(ctx, c.Aggregators.KEK, c.resolver())
	if err != nil {
		return fmt.Errorf("keep metrics: aggregators.kek: %w", err)
	}
	ct, err := kek.Encrypt(b, localPurpose(c.Aggregators.Company,
		l.Period))
	if err != nil {
		return fmt.Errorf("keep metrics: encrypt: %w", err)
	}
	if err := writeFile(path, ct); err != nil {
		return fmt.Errorf("keep metrics: %w", err)
	}
	return nil
}

func (s *Summary) local(now time.Time) *Local {
	l := &Local{Period: s.Period, Methodology: s.Methodology,
		ComputedAt: now.UTC().Truncate(time.Second),
		Metrics:    map[string]LocalValue{}}
	for name, it := range s.Metrics {
		l.Metrics[name] = LocalValue{Value: it.Value,
			Bucket: it.Bucket.Index}
	}
	return l
}

// writeFile writes b to path, mode 0600, creating its folder 0700.
func writeFile(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".metrics-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(b)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// ReadLocal reads and decrypts the metrics kept for period.
func (c *Config) ReadLocal(ctx context.Context, period string) (*Local,
	error) {
	path, err := c.MetricsPath(period)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("kept metrics: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxLocal+1))
	if err != nil {
		return nil, fmt.Errorf("kept metrics %s: %w", path, err)
	}
	if len(b) > maxLocal {
		return nil, fmt.Errorf("kept metrics %s: over %d bytes", path,
			maxLocal)
	}
	kek, err := OpenKEK(ctx, c.Aggregators.KEK, c.resolver())
	if err != nil {
		return nil, fmt.Errorf("kept metrics: aggregators.kek: %w", err)
	}
	b, err = kek.Decrypt(b, localPurpose(c.Aggregators.Company, period))
	if err != nil {
		return nil, fmt.Errorf("kept metrics %s: does not decrypt under "+
			"aggregators.kek as company %q's for %s: another KEK, "+
			"another company's or month's file, or damaged", path,
			c.Aggregators.Company, period)
	}
	var l Local
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("kept metrics %s: %w", path, err)
	}
	if l.Period != period {
		return nil, fmt.Errorf("kept metrics %s: holds period %q, want "+
			"%s", path, l.Period, period)
	}
	return &l, nil
}
