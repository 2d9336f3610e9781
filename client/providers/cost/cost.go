// Package cost holds what the providers report: daily cost buckets
// whose amounts are exact rationals. Amounts arrive as decimal text,
// either a JSON number or a JSON string, and are parsed digit by digit
// into big.Rat, never through a float, so 0.1 is exactly 1/10 and no
// cent is lost to rounding.
//
// It does not convert currencies, round, or fetch anything: what a
// provider said is what the collector gets.
package cost

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// ErrAmount marks an amount that is not a plain decimal number. Its
// errors never quote the amount, which is the company's data.
var ErrAmount = errors.New("not a decimal amount")

// Bucket is a provider's cost for one time span, usually a UTC day, in
// one currency.
type Bucket struct {
	Start, End time.Time
	// Amount is in major units: dollars, not cents.
	Amount *big.Rat
	// Currency is the ISO 4217 code in lower case, e.g. "usd".
	Currency string
}

// Buckets returns one bucket per currency of sums, all spanning start
// to end, in currency order. Sums are keyed by lower-case currency.
func Buckets(start, end time.Time, sums map[string]*big.Rat) []Bucket {
	curs := make([]string, 0, len(sums))
	for c := range sums {
		curs = append(curs, c)
	}
	slices.Sort(curs)
	out := make([]Bucket, 0, len(curs))
	for _, c := range curs {
		out = append(out, Bucket{Start: start, End: end,
			Amount: sums[c], Currency: c})
	}
	return out
}

// Add adds a into sums[currency], allocating on first use. It never
// aliases a, so the caller may reuse it.
func Add(sums map[string]*big.Rat, currency string, a *big.Rat) {
	s, ok := sums[currency]
	if !ok {
		s = new(big.Rat)
		sums[currency] = s
	}
	s.Add(s, a)
}

// Total returns the sum of the buckets per currency.
func Total(bs []Bucket) map[string]*big.Rat {
	sums := map[string]*big.Rat{}
	for _, b := range bs {
		Add(sums, b.Currency, b.Amount)
	}
	return sums
}

// Currency returns code in lower case if it is three ASCII letters.
func Currency(code string) (string, error) {
	ok := len(code) == 3
	for _, r := range code {
		ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}
	switch {
	case ok:
		return strings.ToLower(code), nil
	case len(code) > 8:
		return "", errors.New("currency: want three letters")
	}
	return "", fmt.Errorf("currency %q: want three letters", code)
}

// IsDecimal reports whether r has a finite decimal expansion, as every
// amount a provider sends does: its denominator has no prime factor
// but 2 and 5.
func IsDecimal(r *big.Rat) bool {
	d := new(big.Int).Set(r.Denom())
	q, m := new(big.Int), new(big.Int)
	for _, p := range []*big.Int{big.NewInt(2), big.NewInt(5)} {
		for d.Sign() != 0 {
			q.QuoRem(d, p, m)
			if m.Sign() != 0 {
				break
			}
			d.Set(q)
		}
	}
	return d.Cmp(big.NewInt(1)) == 0
}
