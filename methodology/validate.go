package methodology

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
)

// Limits that every version must respect.
const (
	// MinBuckets and MaxBuckets bound a metric's bucket count, the n/a
	// bucket included. Fewer buckets say little; more make each Prio3
	// report larger and each bucket sparser.
	MinBuckets = 12
	MaxBuckets = 40
	// MinPrivate is the smallest allowed private threshold.
	MinPrivate = 10
	// MaxThreshold bounds both thresholds, keeping them exact when the
	// canonical encoding writes them as floating-point numbers.
	MaxThreshold = 1_000_000
)

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

var mechanisms = map[string]bool{
	"discrete_laplace":  true,
	"discrete_gaussian": true,
}

// FieldError is a validation failure of one field of a methodology. It
// matches ErrInvalid with errors.Is.
type FieldError struct {
	// Field locates the value, like `metric "llm_spend_usd": edges[3]`.
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error returns the field and the reason.
func (e *FieldError) Error() string {
	return e.Field + ": " + e.Reason
}

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Validate checks m against the rules every version must follow. Parse
// calls it; call it yourself on a Methodology built or changed by hand.
func (m *Methodology) Validate() error {
	checks := []func() error{
		m.validateHeader,
		m.validateInputs,
		m.validateMetrics,
		m.Thresholds.validate,
		m.PercentileRule.validate,
		m.Vocabulary.validate,
		m.validateNoise,
		m.validateText,
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (m *Methodology) validateHeader() error {
	if !versionRE.MatchString(m.Version) {
		return invalid("version", "%q is not v1, v2, ...", m.Version)
	}
	if !currencyRE.MatchString(m.Currency) {
		return invalid("currency", "%q is not an ISO 4217 code",
			m.Currency)
	}
	if m.DigestRule == "" {
		return invalid("digest_rule", "empty")
	}
	return checkRules("rules", m.Rules)
}

func (m *Methodology) validateInputs() error {
	seen := map[string]bool{}
	for i, in := range m.Inputs {
		f := fmt.Sprintf("inputs[%d]", i)
		if !isSnake(in.Name) {
			return invalid(f+".name", "%q is not snake_case", in.Name)
		}
		if seen[in.Name] {
			return invalid(f+".name", "duplicate input %q", in.Name)
		}
		seen[in.Name] = true
		if in.Definition == "" {
			return invalid(fmt.Sprintf("input %q", in.Name),
				"empty definition")
		}
	}
	return nil
}

func (m *Methodology) validateMetrics() error {
	if len(m.Metrics) == 0 {
		return invalid("metrics", "none")
	}
	seen := map[string]bool{}
	for i := range m.Metrics {
		mt := &m.Metrics[i]
		if !isSnake(mt.Name) {
			return invalid(fmt.Sprintf("metrics[%d].name", i),
				"%q is not snake_case", mt.Name)
		}
		if seen[mt.Name] {
			return invalid(fmt.Sprintf("metrics[%d].name", i),
				"duplicate metric %q", mt.Name)
		}
		seen[mt.Name] = true
		if err := mt.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (mt *Metric) validate() error {
	f := fmt.Sprintf("metric %q", mt.Name)
	if mt.Unit == "" {
		return invalid(f+": unit", "empty")
	}
	if mt.Definition == "" {
		return invalid(f+": definition", "empty")
	}
	if err := checkRules(f+": rules", mt.Rules); err != nil {
		return err
	}
	return mt.Buckets.validate(f + ": buckets")
}

func (bs *BucketSpec) validate(f string) error {
	for i, e := range bs.Edges {
		if math.IsNaN(e) || math.IsInf(e, 0) {
			return invalid(fmt.Sprintf("%s.edges[%d]", f, i),
				"not finite")
		}
		if i > 0 && e <= bs.Edges[i-1] {
			return invalid(fmt.Sprintf("%s.edges[%d]", f, i),
				"%v is not above edges[%d] = %v", e, i-1, bs.Edges[i-1])
		}
	}
	n := bs.numBuckets()
	if n < MinBuckets || n > MaxBuckets {
		return invalid(f, "%d buckets counting n/a, want %d to %d",
			n, MinBuckets, MaxBuckets)
	}
	return nil
}

func (t Thresholds) validate() error {
	if t.Private < MinPrivate {
		return invalid("thresholds.private", "%d is below the minimum %d",
			t.Private, MinPrivate)
	}
	if t.Public < t.Private {
		return invalid("thresholds.public", "%d is below private %d",
			t.Public, t.Private)
	}
	if t.Public > MaxThreshold {
		return invalid("thresholds.public", "%d is above the maximum %d",
			t.Public, MaxThreshold)
	}
	return nil
}

func (pr PercentileRule) validate() error {
	if len(pr.Points) == 0 {
		return invalid("percentiles.points", "none")
	}
	for i, p := range pr.Points {
		f := fmt.Sprintf("percentiles.points[%d]", i)
		if p < 1 || p > 100 {
			return invalid(f, "%d is not in 1..100", p)
		}
		if i > 0 && p <= pr.Points[i-1] {
			return invalid(f, "%d is not above %d", p, pr.Points[i-1])
		}
	}
	if pr.Rule == "" {
		return invalid("percentiles.rule", "empty")
	}
	return nil
}

func (v Vocabulary) validate() error {
	if len(v.UseCases) == 0 {
		return invalid("cohort_vocabulary.use_cases", "none")
	}
	seen := map[string]bool{}
	for i, c := range v.UseCases {
		f := fmt.Sprintf("cohort_vocabulary.use_cases[%d]", i)
		if !isSnake(c.ID) {
			return invalid(f+".id", "%q is not snake_case", c.ID)
		}
		if seen[c.ID] {
			return invalid(f+".id", "duplicate %q", c.ID)
		}
		seen[c.ID] = true
		if c.Label == "" {
			return invalid(f+".label", "empty")
		}
	}
	err := validateBands("cohort_vocabulary.arr_bands", v.ARRBands)
	if err != nil {
		return err
	}
	return validateBands("cohort_vocabulary.team_sizes", v.TeamSizes)
}

// validateBands checks that bands are non-negative, contiguous and end
// with one open band, so that every answer falls in exactly one.
func validateBands(f string, bands []Band) error {
	if len(bands) == 0 {
		return invalid(f, "none")
	}
	seen := map[string]bool{}
	for i, b := range bands {
		bf := fmt.Sprintf("%s[%d]", f, i)
		if b.ID == "" || seen[b.ID] {
			return invalid(bf+".id", "empty or duplicate %q", b.ID)
		}
		seen[b.ID] = true
		if b.Label == "" {
			return invalid(bf+".label", "empty")
		}
		if err := checkBand(bf, b, i == len(bands)-1); err != nil {
			return err
		}
		if i > 0 && b.Lo != *bands[i-1].Hi {
			return invalid(bf+".lo", "%v does not continue from %v",
				b.Lo, *bands[i-1].Hi)
		}
	}
	return nil
}

func checkBand(f string, b Band, last bool) error {
	if math.IsNaN(b.Lo) || math.IsInf(b.Lo, 0) || b.Lo < 0 {
		return invalid(f+".lo", "not finite and non-negative")
	}
	if last != (b.Hi == nil) {
		return invalid(f+".hi", "must be null on the last band only")
	}
	if b.Hi != nil && (math.IsInf(*b.Hi, 0) || !(*b.Hi > b.Lo)) {
		return invalid(f+".hi", "not finite and above lo")
	}
	return nil
}

func (m *Methodology) validateNoise() error {
	n := m.Noise
	if n == nil {
		return nil
	}
	if !mechanisms[n.Mechanism] {
		return invalid("noise.mechanism", "unknown %q", n.Mechanism)
	}
	if math.IsInf(n.Epsilon, 0) || !(n.Epsilon > 0) {
		return invalid("noise.epsilon", "not finite and positive")
	}
	if !(n.Delta >= 0 && n.Delta < 1) {
		return invalid("noise.delta", "not in [0, 1)")
	}
	return nil
}

// validateText checks that m encodes and that its strings are safe for
// the canonical encoding; Parse has checked this on the file already.
func (m *Methodology) validateText() error {
	b, err := json.Marshal(m)
	if err != nil {
		return invalid("methodology", "not encodable: %v", err)
	}
	if err := scan(b); err != nil {
		return invalid("methodology", "text: %v", err)
	}
	return nil
}

func checkRules(f string, rules []string) error {
	for i, r := range rules {
		if r == "" {
			return invalid(fmt.Sprintf("%s[%d]", f, i), "empty")
		}
	}
	return nil
}
