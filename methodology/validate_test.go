package methodology

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// seq returns n strictly increasing edges 0, 1, ..., n-1.
func seq(n int) []float64 {
	e := make([]float64, n)
	for i := range e {
		e[i] = float64(i)
	}
	return e
}

func f64(f float64) *float64 { return &f }

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(m *Methodology)
		field string
		want  string
	}{
		{"edges equal", func(m *Methodology) {
			m.Metrics[0].Buckets.Edges[3] = m.Metrics[0].Buckets.Edges[2]
		}, `metric "llm_cogs_ratio": buckets.edges[3]`,
			"0.02 is not above edges[2] = 0.02"},
		{"edges decreasing", func(m *Methodology) {
			m.Metrics[3].Buckets.Edges[2] = 50
		}, `metric "llm_spend_usd": buckets.edges[2]`,
			"50 is not above edges[1] = 100"},
		{"edge NaN", func(m *Methodology) {
			m.Metrics[1].Buckets.Edges[0] = math.NaN()
		}, `metric "contribution_margin_proxy": buckets.edges[0]`,
			"not finite"},
		{"edge infinite", func(m *Methodology) {
			m.Metrics[4].Buckets.Edges[18] = math.Inf(1)
		}, `metric "mrr_growth_rate": buckets.edges[18]`, "not finite"},
		{"too few buckets", func(m *Methodology) {
			m.Metrics[0].Buckets.Edges = seq(10)
		}, `metric "llm_cogs_ratio": buckets`,
			"11 buckets counting n/a, want 12 to 40"},
		{"too few with below", func(m *Methodology) {
			m.Metrics[1].Buckets.Edges = seq(9)
		}, `metric "contribution_margin_proxy": buckets`,
			"11 buckets counting n/a, want 12 to 40"},
		{"too many buckets", func(m *Methodology) {
			m.Metrics[0].Buckets.Edges = seq(40)
		}, `metric "llm_cogs_ratio": buckets`,
			"41 buckets counting n/a, want 12 to 40"},
		{"private below 10", func(m *Methodology) {
			m.Thresholds.Private = 9
		}, "thresholds.private", "9 is below the minimum 10"},
		{"public below private", func(m *Methodology) {
			m.Thresholds = Thresholds{Public: 12, Private: 15}
		}, "thresholds.public", "12 is below private 15"},
		{"public too large", func(m *Methodology) {
			m.Thresholds.Public = MaxThreshold + 1
		}, "thresholds.public", "above the maximum"},
		{"duplicate metric", func(m *Methodology) {
			m.Metrics[2].Name = "llm_cogs_ratio"
		}, "metrics[2].name", `duplicate metric "llm_cogs_ratio"`},
		{"metric name case", func(m *Methodology) {
			m.Metrics[0].Name = "LLM"
		}, "metrics[0].name", `"LLM" is not snake_case`},
		{"no metrics", func(m *Methodology) {
			m.Metrics = nil
		}, "metrics", "none"},
		{"empty unit", func(m *Methodology) {
			m.Metrics[3].Unit = ""
		}, `metric "llm_spend_usd": unit`, "empty"},
		{"empty metric rule", func(m *Methodology) {
			m.Metrics[0].Rules[1] = ""
		}, `metric "llm_cogs_ratio": rules[1]`, "empty"},
		{"version", func(m *Methodology) {
			m.Version = "1"
		}, "version", `"1" is not v1, v2, ...`},
		{"currency", func(m *Methodology) {
			m.Currency = "usd"
		}, "currency", `"usd" is not an ISO 4217 code`},
		{"duplicate input", func(m *Methodology) {
			m.Inputs[1].Name = m.Inputs[0].Name
		}, "inputs[1].name", `duplicate input "llm_spend"`},
		{"point zero", func(m *Methodology) {
			m.PercentileRule.Points = []int{0, 50}
		}, "percentiles.points[0]", "0 is not in 1..100"},
		{"point above 100", func(m *Methodology) {
			m.PercentileRule.Points = []int{50, 101}
		}, "percentiles.points[1]", "101 is not in 1..100"},
		{"points unsorted", func(m *Methodology) {
			m.PercentileRule.Points = []int{50, 25}
		}, "percentiles.points[1]", "25 is not above 50"},
		{"no points", func(m *Methodology) {
			m.PercentileRule.Points = nil
		}, "percentiles.points", "none"},
		{"duplicate use case", func(m *Methodology) {
			m.Vocabulary.UseCases[1].ID = "customer_support"
		}, "cohort_vocabulary.use_cases[1].id", `duplicate`},
		{"band gap", func(m *Methodology) {
			m.Vocabulary.ARRBands[1].Lo = 2e6
		}, "cohort_vocabulary.arr_bands[1].lo",
			"2e+06 does not continue from 1e+06"},
		{"band open early", func(m *Methodology) {
			m.Vocabulary.TeamSizes[2].Hi = nil
		}, "cohort_vocabulary.team_sizes[2].hi",
			"must be null on the last band only"},
		{"band closed top", func(m *Methodology) {
			m.Vocabulary.TeamSizes[4].Hi = f64(5000)
		}, "cohort_vocabulary.team_sizes[4].hi",
			"must be null on the last band only"},
		{"band negative", func(m *Methodology) {
			m.Vocabulary.ARRBands[0].Lo = -1
		}, "cohort_vocabulary.arr_bands[0].lo", "non-negative"},
		{"noise mechanism", func(m *Methodology) {
			m.Noise = &Noise{Mechanism: "gaussian", Epsilon: 1}
		}, "noise.mechanism", `unknown "gaussian"`},
		{"noise epsilon", func(m *Methodology) {
			m.Noise = &Noise{Mechanism: "discrete_laplace"}
		}, "noise.epsilon", "not finite and positive"},
		{"control character", func(m *Methodology) {
			m.Vocabulary.UseCases[0].Label = "a\tb"
		}, "methodology", "control character in string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustLoad(t)
			tt.edit(m)
			err := m.Validate()

			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate() = %v, want a FieldError", err)
			}
			if fe.Field != tt.field {
				t.Errorf("Validate() field = %q, want %q",
					fe.Field, tt.field)
			}
			if !strings.Contains(fe.Reason, tt.want) {
				t.Errorf("Validate() reason = %q, want it to contain %q",
					fe.Reason, tt.want)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name string
		edit func(m *Methodology)
	}{
		{"v1", func(m *Methodology) {}},
		{"12 buckets", func(m *Methodology) {
			m.Metrics[0].Buckets.Edges = seq(11)
		}},
		{"12 buckets with below", func(m *Methodology) {
			m.Metrics[1].Buckets.Edges = seq(10)
		}},
		{"40 buckets", func(m *Methodology) {
			m.Metrics[0].Buckets.Edges = seq(39)
		}},
		{"equal thresholds", func(m *Methodology) {
			m.Thresholds = Thresholds{Public: 10, Private: 10}
		}},
		{"private 15", func(m *Methodology) {
			m.Thresholds = Thresholds{Public: 50, Private: 15}
		}},
		{"noise", func(m *Methodology) {
			m.Noise = &Noise{Mechanism: "discrete_gaussian",
				Epsilon: 0.5, Delta: 1e-9}
		}},
		{"one point", func(m *Methodology) {
			m.PercentileRule.Points = []int{100}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustLoad(t)
			tt.edit(m)
			if err := m.Validate(); err != nil {
				t.Fatalf("Validate() = %v, want nil", err)
			}
			if _, err := Parse(m.Canonical()); err != nil {
				t.Errorf("Parse(Canonical()) = %v, want nil", err)
			}
		})
	}
}
