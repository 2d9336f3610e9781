package methodology

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// goldenV1 is the digest of v1. It changes only when v1.json changes,
// which must never happen once a report cites it.
const goldenV1 = "01a1037e43a3c2d328d2cad2ba849aa7" +
	"0e755881a6c885dd58c110e0c31b66da"

func TestDigestGolden(t *testing.T) {
	if got := mustLoad(t).Digest(); got != goldenV1 {
		t.Errorf("Load(v1).Digest() = %s, want %s", got, goldenV1)
	}
}

// TestCanonicalIsFileJCS checks the promise made to auditors: v1.json
// spells out every field, so canonicalizing the file as written (any RFC
// 8785 tool will do) gives the canonical encoding.
func TestCanonicalIsFileJCS(t *testing.T) {
	got, err := canonicalize(v1File(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := mustLoad(t).Canonical(); !bytes.Equal(got, want) {
		t.Errorf("canonicalize(v1.json) = %s\nwant Canonical() = %s",
			got, want)
	}
}

func TestCanonicalForm(t *testing.T) {
	c := string(mustLoad(t).Canonical())
	tests := []struct {
		name, want string
		present    bool
	}{
		{"sorted keys first", `{"cohort_vocabulary":{"arr_bands":`, true},
		{"no html escaping", `"id":"<1M"`, true},
		{"escaped", `\u003c`, false},
		{"integer form", `10000000]`, true},
		{"shortest float", `0.075,`, true},
		{"null noise", `"noise":null`, true},
		{"whitespace", "\n", false},
		{"space after colon", `": `, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(c, tt.want) != tt.present {
				t.Errorf("Canonical() contains %q = %v, want %v",
					tt.want, !tt.present, tt.present)
			}
		})
	}
	if !strings.HasPrefix(c, "{") || !strings.HasSuffix(c, "}") {
		t.Errorf("Canonical() = %.20q...%q, want one object", c,
			c[len(c)-5:])
	}
}

// TestDigestChangesWithEdges nudges each edge of each metric by one ulp
// and checks every nudge gives a digest of its own.
func TestDigestChangesWithEdges(t *testing.T) {
	seen := map[string]string{goldenV1: "v1"}
	for i, mt := range mustLoad(t).Metrics {
		for k := range mt.Buckets.Edges {
			name := fmt.Sprintf("%s/edges[%d]", mt.Name, k)
			m := mustLoad(t)
			e := &m.Metrics[i].Buckets.Edges[k]
			*e = math.Nextafter(*e, math.Inf(1))

			d := m.Digest()
			if prev, ok := seen[d]; ok {
				t.Errorf("Digest() after nudging %s = %s, same as %s",
					name, d, prev)
			}
			seen[d] = name
		}
	}
}

func TestDigestChangesWithFields(t *testing.T) {
	tests := []struct {
		name string
		edit func(m *Methodology)
	}{
		{"threshold", func(m *Methodology) { m.Thresholds.Public = 31 }},
		{"below first", func(m *Methodology) {
			m.Metrics[0].Buckets.BelowFirst = true
		}},
		{"rule text", func(m *Methodology) {
			m.PercentileRule.Rule += " "
		}},
		{"noise", func(m *Methodology) {
			m.Noise = &Noise{Mechanism: "discrete_laplace", Epsilon: 1}
		}},
		{"label", func(m *Methodology) {
			m.Vocabulary.UseCases[7].Label = "other"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustLoad(t)
			tt.edit(m)
			if got := m.Digest(); got == goldenV1 {
				t.Errorf("Digest() = %s, want a change", got)
			}
		})
	}
}

// TestDigestIgnoresLayout checks that key order, whitespace, escapes
// and number spelling in the file do not reach the digest.
func TestDigestIgnoresLayout(t *testing.T) {
	v1 := v1File(t)
	tests := []struct {
		name string
		in   func(t *testing.T) []byte
	}{
		{"as written", func(t *testing.T) []byte { return v1 }},
		{"compact", func(t *testing.T) []byte {
			var b bytes.Buffer
			if err := json.Compact(&b, v1); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}},
		{"reversed keys", func(t *testing.T) []byte {
			return relayout(t, v1)
		}},
		{"canonical", func(t *testing.T) []byte {
			return mustLoad(t).Canonical()
		}},
		{"number spelling", func(t *testing.T) []byte {
			s := strings.Replace(string(v1), `"hi": 1000000}`,
				`"hi": 1e6}`, 1)
			s = strings.Replace(s, "0.075,", "7.50E-2,", 1)
			return []byte(strings.Replace(s, "[0, 100,", "[-0, 100,", 1))
		}},
		{"escapes", func(t *testing.T) []byte {
			return bytes.Replace(v1, []byte(`"<1M"`),
				[]byte(`"\u003c1\u004d"`), 1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in(t)
			m, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse() error: %v", err)
			}
			if got := m.Digest(); got != goldenV1 {
				t.Errorf("Parse().Digest() = %s, want %s", got, goldenV1)
			}
		})
	}
}

// relayout rewrites a JSON document with object keys in reverse order,
// loose whitespace and the number spellings of the source.
func relayout(t *testing.T, src []byte) []byte {
	d := json.NewDecoder(bytes.NewReader(src))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	write(&b, v, "\n")
	return []byte(b.String())
}

func write(b *strings.Builder, v any, nl string) {
	switch v := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(v))
		slices.Reverse(keys)
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(" ,")
			}
			b.WriteString(nl + "\t" + strconv.Quote(k) + " :  ")
			write(b, v[k], nl+"\t")
		}
		b.WriteString(nl + "}")
	case []any:
		b.WriteString("[ ")
		for i, e := range v {
			if i > 0 {
				b.WriteString(",\t")
			}
			write(b, e, nl+"\t")
		}
		b.WriteString(" ]")
	default:
		enc, _ := json.Marshal(v)
		b.Write(enc)
	}
}

func TestCanonicalRoundTrip(t *testing.T) {
	m := mustLoad(t)
	c := m.Canonical()
	m2, err := Parse(c)
	if err != nil {
		t.Fatalf("Parse(Canonical()) error: %v", err)
	}
	if got := m2.Canonical(); !bytes.Equal(got, c) {
		t.Errorf("Parse(Canonical()).Canonical() = %s, want %s", got, c)
	}
}
