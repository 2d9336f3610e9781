package methodology

import (
	"errors"
	"fmt"
)

// ErrAnswer marks questionnaire answers or cohort criteria that the
// methodology's vocabulary does not allow.
var ErrAnswer = errors.New("not an answer of the questionnaire")

// Answers are a company's questionnaire answers, the user-declared
// metadata cohorts are built from. Each field holds exactly one id of
// the vocabulary: the questionnaire is single-select, so a company has
// one primary use case, never a list.
type Answers struct {
	UseCase  string `json:"use_case" yaml:"use_case"`
	ARRBand  string `json:"arr_band" yaml:"arr_band"`
	TeamSize string `json:"team_size" yaml:"team_size"`
}

// Criteria define which companies a cohort holds: those whose primary
// use case is UseCase and, when ARRBand is not empty, whose ARR band is
// ARRBand.
type Criteria struct {
	UseCase string `json:"use_case"`
	ARRBand string `json:"arr_band,omitempty"`
}

// Matches reports whether a company with answers a belongs to a cohort
// of criteria c.
func (c Criteria) Matches(a Answers) bool {
	return a.UseCase == c.UseCase &&
		(c.ARRBand == "" || a.ARRBand == c.ARRBand)
}

// String describes c for people: "customer_support" or
// "customer_support, ARR 1-5M".
func (c Criteria) String() string {
	if c.ARRBand == "" {
		return c.UseCase
	}
	return c.UseCase + ", ARR " + c.ARRBand
}

// CheckAnswers reports whether every answer is one of the vocabulary's
// choices, naming the first that is not and the choices allowed.
func (m *Methodology) CheckAnswers(a Answers) error {
	v := &m.Vocabulary
	if err := oneOf("use_case", a.UseCase, choiceIDs(v.UseCases)); err != nil {
		return err
	}
	if err := oneOf("arr_band", a.ARRBand, bandIDs(v.ARRBands)); err != nil {
		return err
	}
	return oneOf("team_size", a.TeamSize, bandIDs(v.TeamSizes))
}

// CheckCriteria reports whether c names a use case of the vocabulary
// and, if it has one, an ARR band of it.
func (m *Methodology) CheckCriteria(c Criteria) error {
	v := &m.Vocabulary
	if err := oneOf("use_case", c.UseCase, choiceIDs(v.UseCases)); err != nil {
		return err
	}
	if c.ARRBand == "" {
		return nil
	}
	return oneOf("arr_band", c.ARRBand, bandIDs(v.ARRBands))
}

func oneOf(field, got string, ids []string) error {
	for _, id := range ids {
		if got == id {
			return nil
		}
	}
	if got == "" {
		return fmt.Errorf("%s: missing; want one of %q: %w", field, ids,
			ErrAnswer)
	}
	if len(got) > 64 {
		got = got[:64] + "..."
	}
	return fmt.Errorf("%s %q: want one of %q: %w", field, got, ids,
		ErrAnswer)
}

func choiceIDs(cs []Choice) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func bandIDs(bs []Band) []string {
	ids := make([]string, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
	}
	return ids
}
