package metrics

import (
	"fmt"
	"time"
)

// Period is one calendar month in UTC, the unit every figure is
// computed for. The zero Period is not valid.
type Period struct {
	Year  int
	Month time.Month
}

// ParsePeriod parses a period written YYYY-MM, like "2026-11".
func ParsePeriod(s string) (Period, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || !PeriodOf(t).Valid() {
		return Period{}, fmt.Errorf("parse period %q: want YYYY-MM: %w",
			s, ErrPeriod)
	}
	return PeriodOf(t), nil
}

// PeriodOf returns the period that contains t, taken in UTC.
func PeriodOf(t time.Time) Period {
	t = t.UTC()
	return Period{Year: t.Year(), Month: t.Month()}
}

// Valid reports whether p is a month of the years 1 to 9999, the range
// that YYYY-MM can write.
func (p Period) Valid() bool {
	return p.Year >= 1 && p.Year <= 9999 &&
		p.Month >= time.January && p.Month <= time.December
}

// Start returns the first instant of p.
func (p Period) Start() time.Time {
	return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC)
}

// End returns the first instant after p, the start of the next month:
// p is the half-open range [Start, End).
func (p Period) End() time.Time { return p.Start().AddDate(0, 1, 0) }

// Prev returns the month before p.
func (p Period) Prev() Period { return PeriodOf(p.Start().AddDate(0, -1, 0)) }

// Next returns the month after p.
func (p Period) Next() Period { return PeriodOf(p.End()) }

// Contains reports whether t falls in [p.Start(), p.End()).
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start()) && t.Before(p.End())
}

// String returns p as YYYY-MM.
func (p Period) String() string {
	return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month))
}
