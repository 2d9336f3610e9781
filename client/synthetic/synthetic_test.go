package synthetic

import (
	"testing"

	"github.com/infermargin/infermargin/methodology"
)

// TestBucketable checks that every drawn value falls in some bucket of
// methodology v1 and that the same seed draws the same companies.
func TestBucketable(t *testing.T) {
	m, err := methodology.Load("v1")
	if err != nil {
		t.Fatal(err)
	}
	a, b := New(7), New(7)
	na := 0
	for i := range 2000 {
		ca, cb := a.Next(), b.Next()
		for _, mt := range m.Metrics {
			va, vb := ca[mt.Name], cb[mt.Name]
			if (va == nil) != (vb == nil) || va != nil && *va != *vb {
				t.Fatalf("company %d %s differs for the same seed", i, mt.Name)
			}
			if va == nil {
				na++
			}
			if _, err := mt.BucketOf(va); err != nil {
				t.Fatalf("company %d: %v", i, err)
			}
		}
	}
	if na == 0 || na > 2000 {
		t.Errorf("%d n/a values in 2000 companies, want some but few", na)
	}
}
