package metrics

import "testing"

func TestAIProductsMatch(t *testing.T) {
	cfg := AIProducts{
		IDs:      []string{"prod_chat"},
		Metadata: map[string]string{"ai": "true", "line": "assistant"},
	}
	tests := []struct {
		name string
		a    AIProducts
		p    Product
		want bool
	}{
		{"listed id", cfg, Product{ID: "prod_chat"}, true},
		{"every key matches", cfg, Product{ID: "prod_x",
			Metadata: map[string]string{"ai": "true", "line": "assistant",
				"tier": "pro"}}, true},
		{"one key missing", cfg, Product{ID: "prod_x",
			Metadata: map[string]string{"ai": "true"}}, false},
		{"one value differs", cfg, Product{ID: "prod_x",
			Metadata: map[string]string{"ai": "True",
				"line": "assistant"}}, false},
		{"neither", cfg, Product{ID: "prod_seats"}, false},
		// An empty metadata condition would match every product if
		// "every configured key" were read literally.
		{"empty metadata config", AIProducts{IDs: []string{"prod_chat"}},
			Product{ID: "prod_x", Metadata: map[string]string{"ai": "true"}},
			false},
		{"zero config", AIProducts{}, Product{ID: "prod_chat"}, false},
		{"empty id never listed", AIProducts{IDs: []string{""}},
			Product{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Match(tt.p); got != tt.want {
				t.Errorf("Match(%+v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}
