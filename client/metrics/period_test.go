package metrics

import (
	"errors"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in   string
		want Period
		ok   bool
	}{
		{"2026-11", Period{2026, time.November}, true},
		{"2026-01", Period{2026, time.January}, true},
		{"0001-01", Period{1, time.January}, true},
		{"9999-12", Period{9999, time.December}, true},
		{"0000-01", Period{}, false},
		{"2026-1", Period{}, false},
		{"2026-13", Period{}, false},
		{"2026-00", Period{}, false},
		{"26-11", Period{}, false},
		{"2026-11-01", Period{}, false},
		{"2026/11", Period{}, false},
		{" 2026-11", Period{}, false},
		{"", Period{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePeriod(tt.in)
			if !tt.ok {
				if !errors.Is(err, ErrPeriod) {
					t.Fatalf("ParsePeriod(%q) error = %v, want ErrPeriod",
						tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParsePeriod(%q) = %v, %v, want %v, nil",
					tt.in, got, err, tt.want)
			}
			if got.String() != tt.in {
				t.Errorf("ParsePeriod(%q).String() = %q, want %q",
					tt.in, got, tt.in)
			}
		})
	}
}

func TestPeriodBounds(t *testing.T) {
	tests := []struct {
		p           Period
		start, end  time.Time
		prev, next  Period
		days        int
		wantStrings string
	}{
		{nov, day(2026, 11, 1), day(2026, 12, 1),
			Period{2026, 10}, Period{2026, 12}, 30, "2026-11"},
		{Period{2026, 1}, day(2026, 1, 1), day(2026, 2, 1),
			Period{2025, 12}, Period{2026, 2}, 31, "2026-01"},
		{Period{2026, 12}, day(2026, 12, 1), day(2027, 1, 1),
			Period{2026, 11}, Period{2027, 1}, 31, "2026-12"},
		{Period{2028, 2}, day(2028, 2, 1), day(2028, 3, 1),
			Period{2028, 1}, Period{2028, 3}, 29, "2028-02"},
	}
	for _, tt := range tests {
		t.Run(tt.wantStrings, func(t *testing.T) {
			p := tt.p
			if !p.Start().Equal(tt.start) || !p.End().Equal(tt.end) {
				t.Errorf("%v: Start(), End() = %v, %v, want %v, %v",
					p, p.Start(), p.End(), tt.start, tt.end)
			}
			if p.Prev() != tt.prev || p.Next() != tt.next {
				t.Errorf("%v: Prev(), Next() = %v, %v, want %v, %v",
					p, p.Prev(), p.Next(), tt.prev, tt.next)
			}
			days := int(p.End().Sub(p.Start()).Hours()) / 24
			if days != tt.days {
				t.Errorf("%v lasts %d days, want %d", p, days, tt.days)
			}
			if p.String() != tt.wantStrings {
				t.Errorf("String() = %q, want %q", p, tt.wantStrings)
			}
		})
	}
}

func TestPeriodContains(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		t    time.Time
		want bool
	}{
		{"start", nov.Start(), true},
		{"last nanosecond", nov.End().Add(-time.Nanosecond), true},
		{"end", nov.End(), false},
		{"before start", nov.Start().Add(-time.Nanosecond), false},
		// 00:30 on 1 December in UTC+1 is 23:30 on 30 November in UTC.
		{"other zone, in", time.Date(2026, 12, 1, 0, 30, 0, 0, cet), true},
		// 00:30 on 1 November in UTC+1 is 23:30 on 31 October in UTC.
		{"other zone, out", time.Date(2026, 11, 1, 0, 30, 0, 0, cet), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nov.Contains(tt.t); got != tt.want {
				t.Errorf("Contains(%v) = %v, want %v", tt.t, got, tt.want)
			}
			if got := PeriodOf(tt.t) == nov; got != tt.want {
				t.Errorf("PeriodOf(%v) = %v, want in %v = %v",
					tt.t, PeriodOf(tt.t), nov, tt.want)
			}
		})
	}
}

func TestPeriodValid(t *testing.T) {
	for _, p := range []Period{{}, {2026, 0}, {2026, 13}, {0, 1},
		{10000, 1}} {
		if p.Valid() {
			t.Errorf("%#v.Valid() = true, want false", p)
		}
	}
	if !nov.Valid() {
		t.Errorf("%v.Valid() = false, want true", nov)
	}
}
