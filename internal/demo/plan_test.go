package demo

import (
	"slices"
	"testing"
)

func TestSpread(t *testing.T) {
	tests := []struct {
		n       int
		weights []int
		sizes   []int
	}{
		{120, []int{3, 3, 1}, []int{52, 51, 17}},
		{30, []int{1}, []int{30}},
		{60, []int{3, 3, 1}, []int{26, 26, 8}},
		{7, []int{3, 3, 1}, []int{3, 3, 1}},
		{2, []int{3, 3, 1}, []int{1, 1, 0}},
	}
	for _, tt := range tests {
		got := spread(tt.n, tt.weights)
		sizes := make([]int, len(tt.weights))
		for i, g := range got {
			sizes[g]++
			if i > 0 && g < got[i-1] {
				t.Errorf("spread(%d, %v): groups out of order at %d",
					tt.n, tt.weights, i)
			}
		}
		if len(got) != tt.n || !slices.Equal(sizes, tt.sizes) {
			t.Errorf("spread(%d, %v) = sizes %v, want %v", tt.n,
				tt.weights, sizes, tt.sizes)
		}
	}
}
