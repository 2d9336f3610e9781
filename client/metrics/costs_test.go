package metrics

import (
	"testing"
	"time"
)

func TestLLMSpend(t *testing.T) {
	cost := func(provider string, start time.Time, amount string) Cost {
		return Cost{Provider: provider, Start: start, Amount: usd(amount),
			Currency: "usd"}
	}
	oa, an := ProviderOpenAI, ProviderAnthropic
	tests := []struct {
		name  string
		costs []Cost
		want  string
	}{
		// 50.25 + 20 = 70.25.
		{"both providers", []Cost{
			cost(oa, day(2026, 11, 3), "50.25"),
			cost(an, day(2026, 11, 30), "20"),
		}, "70.25"},
		// Only the bucket starting at P.Start() is in P: 1.
		{"month boundaries", []Cost{
			cost(oa, nov.Start(), "1"),
			cost(oa, nov.End(), "999"),
			cost(an, nov.Start().Add(-time.Second), "7"),
			cost(an, nov.End(), "5"),
		}, "1"},
		// The last second of P is in P: 2 + 3 = 5.
		{"last bucket of P", []Cost{
			cost(an, at(2026, 11, 30, 23, 0, 0), "2"),
			cost(oa, nov.End().Add(-time.Second), "3"),
		}, "5"},
		{"OpenAI only", []Cost{cost(oa, day(2026, 11, 9), "12.5")},
			"12.5"},
		// 12345 cents from Anthropic, handed over as 123.45 dollars,
		// plus a fractional cent: 123.45 + 0.001 = 123.451.
		{"Anthropic only, fractional cents", []Cost{
			cost(an, day(2026, 11, 9), "123.45"),
			cost(an, day(2026, 11, 10), "0.001"),
		}, "123.451"},
		{"no provider", nil, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := llmSpend(tt.costs, nov)
			if got.Cmp(usd(tt.want)) != 0 {
				t.Errorf("llmSpend(...) = %s, want %s", ratString(got),
					tt.want)
			}
		})
	}
}
