// Package methodology holds InferMargin's versioned metric definitions:
// what each published metric means, its bucket edges, the cohort
// vocabulary, the publication thresholds, the percentile rule and the
// digest that every output cites.
//
// Each version is a human-readable JSON file embedded in the binary
// (v1.json, ...). Load returns a parsed and validated version; Bucket turns
// a metric value into a histogram index on the collector; Percentiles turns
// a cohort histogram into the published bucket ranges.
//
// The package does not compute metrics from provider data (the collector
// does, following the rules written in the file), does not enforce the
// thresholds (each aggregator does) and does not add noise. It does no I/O
// beyond reading its embedded files and never logs. Errors never contain a
// metric value, since values are secret.
package methodology

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Errors returned by this package; test for them with errors.Is.
var (
	// ErrUnknownVersion means no embedded file has the asked version.
	ErrUnknownVersion = errors.New("unknown methodology version")
	// ErrInvalid means a methodology file failed decoding or validation.
	ErrInvalid = errors.New("invalid methodology")
	// ErrUnknownMetric means the methodology has no metric of that name.
	ErrUnknownMetric = errors.New("unknown metric")
	// ErrNotFinite means a value to bucket is NaN or infinite.
	ErrNotFinite = errors.New("value is not finite")
	// ErrBelowRange means a value lies below the first bucket edge of a
	// metric that has no bucket open to minus infinity.
	ErrBelowRange = errors.New("value is below the first bucket")
	// ErrBucketIndex means a bucket index is outside the histogram.
	ErrBucketIndex = errors.New("bucket index out of range")
	// ErrHistogram means a histogram does not fit the metric.
	ErrHistogram = errors.New("bad histogram")
	// ErrPoint means a percentile point is outside 1..100.
	ErrPoint = errors.New("percentile point out of range")
	// ErrNoDefinedValues means every report is n/a, so no percentile
	// exists.
	ErrNoDefinedValues = errors.New("no defined values")
)

// Methodology is one version of the metric definitions. Parse and Load
// return it validated; a Methodology changed or built by hand should be
// checked with Validate before use.
type Methodology struct {
	// Version names the file, like "v1".
	Version string `json:"version"`
	// Currency is the ISO 4217 code of every money amount.
	Currency string `json:"currency"`
	// Rules are the general computation rules, in plain words.
	Rules []string `json:"rules"`
	// Inputs define the quantities the metrics are computed from.
	Inputs []Input `json:"inputs"`
	// Metrics are the published metrics, in file order.
	Metrics []Metric `json:"metrics"`
	// Thresholds are the minimum cohort sizes for publication.
	Thresholds Thresholds `json:"thresholds"`
	// PercentileRule is the percentile rule and its points. (It is not
	// named Percentiles, the method that applies it.)
	PercentileRule PercentileRule `json:"percentiles"`
	// Vocabulary lists the questionnaire answers cohorts are built from.
	Vocabulary Vocabulary `json:"cohort_vocabulary"`
	// Noise is nil when no noise is added to aggregates, as in v1.
	Noise *Noise `json:"noise"`
	// DigestRule says in plain words how Digest is computed.
	DigestRule string `json:"digest_rule"`
}

// Input is one quantity the collector computes from provider data, such
// as LLM spend or AI revenue, with its definition in plain words.
type Input struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
}

// Metric is one published metric and its histogram buckets.
type Metric struct {
	// Name is the metric's identifier, in snake_case.
	Name string `json:"name"`
	// Unit is what a value measures, like "ratio" or "USD per month".
	Unit string `json:"unit"`
	// Definition says what the metric means, in plain words.
	Definition string `json:"definition"`
	// Rules say how it is computed and when it is n/a.
	Rules []string `json:"rules"`
	// Buckets are the histogram buckets values are reported in.
	Buckets BucketSpec `json:"buckets"`
}

// BucketSpec describes a metric's buckets. Edges split the line into
// half-open buckets [Edges[i], Edges[i+1]); the last, [Edges[len-1], +inf),
// is open ended. When BelowFirst is set, one more bucket (-inf, Edges[0])
// comes first; otherwise a value below Edges[0] is an error. One n/a
// bucket for undefined values always comes last.
type BucketSpec struct {
	Edges      []float64 `json:"edges"`
	BelowFirst bool      `json:"below_first"`
}

// Thresholds are the minimum number of reports with a defined value a
// cohort needs before a metric's percentiles are released: Public for
// everyone, Private for the cohort's own members.
type Thresholds struct {
	Public  int `json:"public"`
	Private int `json:"private"`
}

// PercentileRule names the published percentile points and states the
// rule Percentile implements, in plain words.
type PercentileRule struct {
	Points []int  `json:"points"`
	Rule   string `json:"rule"`
}

// Vocabulary lists the allowed questionnaire answers that cohorts are
// defined by. Each company picks exactly one of each.
type Vocabulary struct {
	UseCases  []Choice `json:"use_cases"`
	ARRBands  []Band   `json:"arr_bands"`
	TeamSizes []Band   `json:"team_sizes"`
}

// Choice is one answer of a single-select question.
type Choice struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Band is one answer of a banded question: the half-open range [Lo, Hi),
// in USD for ARR and in people for team size. A nil Hi means no upper
// bound.
type Band struct {
	ID    string   `json:"id"`
	Label string   `json:"label"`
	Lo    float64  `json:"lo"`
	Hi    *float64 `json:"hi"`
}

// Noise holds the parameters of the noise the aggregators add to their
// aggregate shares. No version uses it yet; its shape may still change.
type Noise struct {
	// Mechanism is "discrete_laplace" or "discrete_gaussian".
	Mechanism string `json:"mechanism"`
	// Epsilon is the privacy budget per release; it must be positive.
	Epsilon float64 `json:"epsilon"`
	// Delta is zero for pure differential privacy; it must be below 1.
	Delta float64 `json:"delta"`
}

//go:embed v*.json
var files embed.FS

var versionRE = regexp.MustCompile(`^v[1-9][0-9]{0,5}$`)

// Load returns the embedded methodology of the given version, like "v1".
func Load(version string) (*Methodology, error) {
	if !versionRE.MatchString(version) {
		return nil, fmt.Errorf("load methodology %q: %w",
			version, ErrUnknownVersion)
	}
	b, err := files.ReadFile(version + ".json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load methodology %q: %w",
			version, ErrUnknownVersion)
	}
	if err != nil {
		return nil, fmt.Errorf("load methodology %q: %w", version, err)
	}

	m, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("load methodology %q: %w", version, err)
	}
	if m.Version != version {
		return nil, fmt.Errorf("load methodology %q: file says %q: %w",
			version, m.Version, ErrInvalid)
	}
	return m, nil
}

// Versions returns the embedded versions, oldest first.
func Versions() []string {
	names, _ := fs.Glob(files, "v*.json")
	var vs []string
	for _, n := range names {
		v := strings.TrimSuffix(n, ".json")
		if versionRE.MatchString(v) {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(a, b string) int {
		x, _ := strconv.Atoi(a[1:])
		y, _ := strconv.Atoi(b[1:])
		return x - y
	})
	return vs
}

// Parse decodes and validates a methodology file. It is strict: the
// input must be a single JSON value of at most MaxSize bytes, in UTF-8,
// with lowercase snake_case keys, no duplicate or unknown keys and no
// control characters in strings. Errors name the metric or field.
func Parse(b []byte) (*Methodology, error) {
	if err := scan(b); err != nil {
		return nil, fmt.Errorf("parse methodology: %w: %w", ErrInvalid, err)
	}

	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var m Methodology
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("parse methodology: %w: %w", ErrInvalid, err)
	}

	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("parse methodology: %w", err)
	}
	return &m, nil
}

// Metric returns the metric of the given name. It points into m.
func (m *Methodology) Metric(name string) (*Metric, error) {
	for i := range m.Metrics {
		if m.Metrics[i].Name == name {
			return &m.Metrics[i], nil
		}
	}
	return nil, fmt.Errorf("methodology %s: metric %q: %w",
		m.Version, name, ErrUnknownMetric)
}

// MetricNames returns the metric names in file order.
func (m *Methodology) MetricNames() []string {
	names := make([]string, len(m.Metrics))
	for i, mt := range m.Metrics {
		names[i] = mt.Name
	}
	return names
}
