package methodology

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckAnswers(t *testing.T) {
	m, err := Load("v1")
	if err != nil {
		t.Fatal(err)
	}
	good := Answers{UseCase: "customer_support", ARRBand: "1-5M",
		TeamSize: "11-50"}
	tests := []struct {
		name   string
		change func(*Answers)
		want   string // in the error; "" for none
	}{
		{"good", func(*Answers) {}, ""},
		{"no use case", func(a *Answers) { a.UseCase = "" },
			"use_case: missing"},
		{"unknown use case", func(a *Answers) { a.UseCase = "mining" },
			`use_case "mining": want one of`},
		{"two use cases in one", func(a *Answers) {
			a.UseCase = "customer_support,coding_assistant"
		}, "use_case"},
		{"label not id", func(a *Answers) { a.UseCase = "Customer support" },
			"use_case"},
		{"unknown band", func(a *Answers) { a.ARRBand = "1-2M" },
			"arr_band"},
		{"no team size", func(a *Answers) { a.TeamSize = "" },
			"team_size: missing"},
		{"long answer clipped", func(a *Answers) {
			a.TeamSize = strings.Repeat("x", 500)
		}, "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := good
			tt.change(&a)
			err := m.CheckAnswers(a)
			if tt.want == "" {
				if err != nil {
					t.Errorf("CheckAnswers(%+v) = %v, want nil", a, err)
				}
				return
			}
			if !errors.Is(err, ErrAnswer) ||
				!strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckAnswers() = %v, want ErrAnswer saying %q",
					err, tt.want)
			}
			if len(err.Error()) > 400 {
				t.Errorf("error of %d bytes quotes too much",
					len(err.Error()))
			}
		})
	}
}

func TestCriteria(t *testing.T) {
	m, err := Load("v1")
	if err != nil {
		t.Fatal(err)
	}
	a := Answers{UseCase: "customer_support", ARRBand: "1-5M",
		TeamSize: "11-50"}
	tests := []struct {
		c       Criteria
		valid   bool
		matches bool
	}{
		{Criteria{UseCase: "customer_support"}, true, true},
		{Criteria{UseCase: "customer_support", ARRBand: "1-5M"}, true, true},
		{Criteria{UseCase: "customer_support", ARRBand: "<1M"}, true, false},
		{Criteria{UseCase: "coding_assistant"}, true, false},
		{Criteria{UseCase: "customer_support", ARRBand: "huge"}, false,
			false},
		{Criteria{}, false, false},
	}
	for _, tt := range tests {
		err := m.CheckCriteria(tt.c)
		if (err == nil) != tt.valid {
			t.Errorf("CheckCriteria(%v) = %v, want valid %v", tt.c, err,
				tt.valid)
		}
		if got := tt.c.Matches(a); got != tt.matches {
			t.Errorf("%v.Matches(%+v) = %v, want %v", tt.c, a, got,
				tt.matches)
		}
	}
}
