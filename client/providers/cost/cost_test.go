package cost

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // a/b, or "" when Parse must fail
	}{
		{"0.1", "1/10"},
		{"0.06", "3/50"},
		{"12", "12"},
		{"-0.5", "-1/2"},
		{"-0", "0"},
		{"007.50", "15/2"},
		{"123.45", "2469/20"},
		{"1e-3", "1/1000"},
		{"1.25E+2", "125"},
		{"0.000000000000000000000000000001", "1/" + "1" +
			strings.Repeat("0", 30)},
		{"3.14159265358979323846264338327950288", "314159265358979323" +
			"846264338327950288/1" + strings.Repeat("0", 35)},
		{"", ""},
		{"1/3", ""},
		{"0x1p-2", ""},
		{"Inf", ""},
		{"NaN", ""},
		{"+1", ""},
		{" 1", ""},
		{"1 ", ""},
		{"1.", ""},
		{".5", ""},
		{"1e", ""},
		{"1e+", ""},
		{"1e61", ""},
		{"1e-999999999", ""},
		{"1_000", ""},
		{"1,5", ""},
		{strings.Repeat("9", 101), ""},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if tc.want == "" {
			if err == nil || !errors.Is(err, ErrAmount) {
				t.Errorf("Parse(%q) = %v, %v; want %v", tc.in, got, err,
					ErrAmount)
			}
			continue
		}
		if err != nil || got.Cmp(rat(tc.want)) != 0 {
			t.Errorf("Parse(%q) = %v, %v; want %s", tc.in, got, err,
				tc.want)
		}
	}
}

func TestDecimalJSON(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when decoding must fail
	}{
		{`{"v": 0.1}`, "1/10"},
		{`{"v": "0.1"}`, "1/10"},
		{`{"v": 1.5e-2}`, "3/200"},
		{`{"v": "123.456789012345678901"}`, "123456789012345678901/" +
			"1000000000000000000"},
		{`{"v": null}`, ""},
		{`{"v": true}`, ""},
		{`{"v": ""}`, ""},
		{`{"v": "0.1\u0000"}`, ""},
		{`{"v": {}}`, ""},
	}
	for _, tc := range tests {
		var got struct{ V Decimal }
		err := json.Unmarshal([]byte(tc.in), &got)
		if tc.want == "" {
			if err == nil {
				t.Errorf("Unmarshal(%s) = %v, want an error", tc.in,
					got.V.Rat())
			}
			continue
		}
		if err != nil || got.V.Rat().Cmp(rat(tc.want)) != 0 {
			t.Errorf("Unmarshal(%s) = %v, %v; want %s", tc.in, got.V.Rat(),
				err, tc.want)
		}
	}
}

func TestDecimalMissing(t *testing.T) {
	var got struct{ V Decimal }
	if err := json.Unmarshal([]byte(`{}`), &got); err != nil {
		t.Fatal(err)
	}
	if got.V.Rat() != nil {
		t.Errorf("Rat() of a missing amount = %v, want nil", got.V.Rat())
	}
}

func TestDecimalErrorHidesAmount(t *testing.T) {
	var got struct{ V Decimal }
	err := json.Unmarshal([]byte(`{"v": "4242.17/3"}`), &got)
	if err == nil || strings.Contains(err.Error(), "4242") {
		t.Errorf("Unmarshal(bad amount) error = %v, want one without "+
			"the amount", err)
	}
}

func TestBucketsAndTotal(t *testing.T) {
	day := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	next := day.AddDate(0, 0, 1)
	sums := map[string]*big.Rat{}
	Add(sums, "usd", rat("0.1"))
	Add(sums, "usd", rat("0.2"))
	Add(sums, "eur", rat("5"))
	got := Buckets(day, next, sums)
	want := []Bucket{
		{day, next, rat("5"), "eur"},
		{day, next, rat("3/10"), "usd"},
	}
	if diff := cmp.Diff(want, got, cmpRat); diff != "" {
		t.Errorf("Buckets() mismatch (-want +got):\n%s", diff)
	}
	total := Total(append(got, Bucket{next, next, rat("0.7"), "usd"}))
	if total["usd"].Cmp(big.NewRat(1, 1)) != 0 {
		t.Errorf("Total()[usd] = %v, want 1", total["usd"])
	}
}

func TestAddDoesNotAlias(t *testing.T) {
	a := rat("1")
	sums := map[string]*big.Rat{}
	Add(sums, "usd", a)
	Add(sums, "usd", a)
	if a.Cmp(big.NewRat(1, 1)) != 0 || sums["usd"].Cmp(big.NewRat(2, 1)) != 0 {
		t.Errorf("Add twice: a = %v, sum = %v; want 1, 2", a, sums["usd"])
	}
}

func TestCurrency(t *testing.T) {
	tests := []struct{ in, want string }{
		{"usd", "usd"}, {"USD", "usd"}, {"Eur", "eur"},
		{"", ""}, {"us", ""}, {"usdx", ""}, {"u$d", ""}, {"üsd", ""},
		{strings.Repeat("x", 50), ""},
	}
	for _, tc := range tests {
		got, err := Currency(tc.in)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("Currency(%q) = %q, %v; want %q", tc.in, got, err,
				tc.want)
		}
	}
}

var cmpRat = cmp.Comparer(func(a, b *big.Rat) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Cmp(b) == 0
})

// FuzzParse checks that Parse never panics and that what it accepts is
// a finite decimal: a denominator with no prime factor but 2 and 5.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0.1", "-12.5e-3", "1e60", "007", "1/3",
		"0x10", "9999999999999999999999.999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			return
		}
		if !IsDecimal(r) {
			t.Errorf("Parse(%q) = %v, not a finite decimal", s, r)
		}
	})
}

func TestIsDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"1/10", true}, {"3/200", true}, {"7", true}, {"0", true},
		{"1/3", false}, {"5/6", false}, {"1/1024", true},
	}
	for _, tc := range tests {
		if got := IsDecimal(rat(tc.in)); got != tc.want {
			t.Errorf("IsDecimal(%s) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
