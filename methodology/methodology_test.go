package methodology

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// v1File returns the embedded v1.json as written.
func v1File(t testing.TB) []byte {
	t.Helper()
	b, err := files.ReadFile("v1.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustLoad(t testing.TB) *Methodology {
	t.Helper()
	m, err := Load("v1")
	if err != nil {
		t.Fatalf("Load(v1) error: %v", err)
	}
	return m
}

func TestLoad(t *testing.T) {
	m := mustLoad(t)
	if m.Version != "v1" {
		t.Errorf("Load(v1).Version = %q, want v1", m.Version)
	}
	want := Thresholds{Public: 30, Private: 10}
	if diff := cmp.Diff(want, m.Thresholds); diff != "" {
		t.Errorf("Load(v1).Thresholds (-want +got):\n%s", diff)
	}
	points := []int{25, 50, 75, 90}
	if diff := cmp.Diff(points, m.PercentileRule.Points); diff != "" {
		t.Errorf("Load(v1) percentile points (-want +got):\n%s", diff)
	}
	if m.Noise != nil {
		t.Errorf("Load(v1).Noise = %+v, want nil", m.Noise)
	}
}

func TestLoadUnknown(t *testing.T) {
	for _, v := range []string{"v9", "v0", "", "1", "../v1", "v1.json"} {
		t.Run(v, func(t *testing.T) {
			_, err := Load(v)
			if !errors.Is(err, ErrUnknownVersion) {
				t.Fatalf("Load(%q) error = %v, want ErrUnknownVersion",
					v, err)
			}
			if !strings.Contains(err.Error(), `"`+v+`"`) {
				t.Errorf("Load(%q) error = %q, want it to name %q",
					v, err, v)
			}
		})
	}
}

func TestVersions(t *testing.T) {
	got := Versions()
	if diff := cmp.Diff([]string{"v1"}, got); diff != "" {
		t.Errorf("Versions() (-want +got):\n%s", diff)
	}
	for _, v := range got {
		if _, err := Load(v); err != nil {
			t.Errorf("Load(%q) error: %v", v, err)
		}
	}
}

func TestMetricNames(t *testing.T) {
	m := mustLoad(t)
	want := []string{
		"llm_cogs_ratio",
		"contribution_margin_proxy",
		"inference_cost_per_paying_customer",
		"llm_spend_usd",
		"mrr_growth_rate",
	}
	if diff := cmp.Diff(want, m.MetricNames()); diff != "" {
		t.Errorf("MetricNames() (-want +got):\n%s", diff)
	}
	for _, name := range want {
		mt, err := m.Metric(name)
		if err != nil {
			t.Fatalf("Metric(%q) error: %v", name, err)
		}
		if mt.Name != name {
			t.Errorf("Metric(%q).Name = %q, want %q", name, mt.Name, name)
		}
	}
	if _, err := m.Metric("arr"); !errors.Is(err, ErrUnknownMetric) {
		t.Errorf("Metric(arr) error = %v, want ErrUnknownMetric", err)
	}
}

// TestMetricShapes pins which metrics have a bucket open to minus
// infinity and where the others start.
func TestMetricShapes(t *testing.T) {
	m := mustLoad(t)
	tests := []struct {
		name       string
		belowFirst bool
		buckets    int
	}{
		{"llm_cogs_ratio", false, 22},
		{"contribution_margin_proxy", true, 20},
		{"inference_cost_per_paying_customer", false, 19},
		{"llm_spend_usd", false, 18},
		{"mrr_growth_rate", true, 21},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt, err := m.Metric(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if got := mt.Buckets.BelowFirst; got != tt.belowFirst {
				t.Errorf("BelowFirst = %v, want %v", got, tt.belowFirst)
			}
			if !tt.belowFirst && mt.Buckets.Edges[0] != 0 {
				t.Errorf("Edges[0] = %v, want 0", mt.Buckets.Edges[0])
			}
			if got := mt.NumBuckets(); got != tt.buckets {
				t.Errorf("NumBuckets() = %d, want %d", got, tt.buckets)
			}
			if got := mt.NA(); got != tt.buckets-1 {
				t.Errorf("NA() = %d, want %d", got, tt.buckets-1)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	v1 := string(v1File(t))
	replace := func(old, new string) string {
		t.Helper()
		if !strings.Contains(v1, old) {
			t.Fatalf("v1.json has no %q", old)
		}
		return strings.Replace(v1, old, new, 1)
	}
	deep := strings.Repeat("[", 20) + strings.Repeat("]", 20)
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", "empty input"},
		{"null", "null", "version"},
		{"syntax", v1[:len(v1)/2], "unexpected EOF"},
		{"trailing", v1 + "{}", "more than one json value"},
		{"unknown field", replace(`"version"`, `"extra": 1, "version"`),
			`unknown field "extra"`},
		{"unknown metric field",
			replace(`"unit": "ratio",`, `"unit": "ratio", "scale": 2,`),
			`unknown field "scale"`},
		{"duplicate key", replace(`"version": "v1",`,
			`"version": "v1", "version": "v2",`), `duplicate key "version"`},
		{"uppercase key", replace(`"version"`, `"Version"`),
			`key "Version" is not lowercase snake_case`},
		{"invalid utf-8", replace(`"Other"`, "\"Oth\xffer\""),
			"not valid utf-8"},
		{"control character", replace(`"Other"`, `"Oth\u0007er"`),
			"control character in string"},
		{"line separator", replace(`"Other"`, `"Oth\u2028er"`),
			"line or paragraph separator"},
		{"too deep", replace(`"noise": null`, `"noise": `+deep),
			"nested deeper than 16"},
		{"too large", strings.Repeat(" ", MaxSize+1), "larger than"},
		{"threshold", replace(`"private": 10`, `"private": 5`),
			"thresholds.private: 5 is below the minimum 10"},
		{"float threshold", replace(`"private": 10`, `"private": 10.5`),
			"cannot unmarshal number 10.5"},
		{"huge edge", replace(`10000000]`, `1e400]`),
			"cannot unmarshal number 1e400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse() error = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() error = %q, want it to contain %q",
					err, tt.want)
			}
		})
	}
}
