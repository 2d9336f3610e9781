package cost

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
)

// maxDigits bounds the text of one amount. Real amounts have a few
// dozen digits at most; the bound keeps a hostile answer from making
// big.Rat allocate without end.
const maxDigits = 100

// maxExp bounds a decimal exponent, for the same reason.
const maxExp = 60

// Parse returns the exact value of s, a decimal number as JSON writes
// it: an optional minus sign, digits, optionally a fraction and an
// exponent ("12", "-0.5", "1.25e-3"). Leading zeros are allowed since
// providers that send strings do not always trim them. Fractions like
// "1/3", hexadecimal, "Inf" and "NaN" are refused.
func Parse(s string) (*big.Rat, error) {
	if len(s) == 0 || len(s) > maxDigits {
		return nil, fmt.Errorf("%w: length %d", ErrAmount, len(s))
	}
	if err := scan(s); err != nil {
		return nil, err
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, ErrAmount
	}
	return r, nil
}

// scan checks s against the grammar Parse documents, so that
// big.Rat.SetString, which accepts much more, only sees plain
// decimals.
func scan(s string) error {
	i := 0
	if s[i] == '-' {
		i++
	}
	n := digits(s[i:])
	if n == 0 {
		return ErrAmount
	}
	i += n
	if i < len(s) && s[i] == '.' {
		n = digits(s[i+1:])
		if n == 0 {
			return ErrAmount
		}
		i += 1 + n
	}
	if i == len(s) {
		return nil
	}
	return scanExp(s[i:])
}

// scanExp checks an exponent part, "e-3", and its size.
func scanExp(s string) error {
	if s[0] != 'e' && s[0] != 'E' {
		return ErrAmount
	}
	s = s[1:]
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if n := digits(s); n == 0 || n != len(s) {
		return ErrAmount
	}
	e := 0
	for _, c := range []byte(s) {
		e = e*10 + int(c-'0')
		if e > maxExp {
			return fmt.Errorf("%w: exponent over %d", ErrAmount, maxExp)
		}
	}
	return nil
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// Decimal is an amount in a provider's JSON: a number (0.06) or a
// string ("0.06"), either parsed exactly by Parse. JSON null and any
// other value are refused, so a missing amount never reads as zero.
type Decimal struct {
	r *big.Rat
}

// Rat returns the amount, or nil if the JSON did not hold one. The
// caller gets a copy it may change.
func (d Decimal) Rat() *big.Rat {
	if d.r == nil {
		return nil
	}
	return new(big.Rat).Set(d.r)
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return ErrAmount
		}
		b = []byte(s)
	}
	r, err := Parse(string(b))
	if err != nil {
		return err
	}
	d.r = r
	return nil
}
