package metrics

import (
	"math/big"
	"time"

	"github.com/google/go-cmp/cmp"
)

// nov is the period most tests compute: November 2026 has 30 days and
// comes after October 2026, which has 31.
var nov = Period{2026, time.November}

// at returns the UTC instant of the given day, hour, minute and second.
func at(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

// day returns midnight UTC of the given day.
func day(y int, m time.Month, d int) time.Time { return at(y, m, d, 0, 0, 0) }

func ptr[T any](v T) *T { return &v }

// usd returns a dollar amount written as a decimal, like "70.25".
func usd(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad amount " + s)
	}
	return r
}

// ratCmp compares amounts by value, so 1/2 equals 2/4.
var ratCmp = cmp.Comparer(func(a, b *big.Rat) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Cmp(b) == 0
})

// sub returns a USD subscription line on a licensed recurring price.
func sub(id, product string, cents int64, start, end time.Time) Line {
	return Line{
		ID: id, Amount: cents, Currency: "usd",
		PeriodStart: start, PeriodEnd: end, ProductID: product,
		Subscription: true, Recurring: true, UsageType: UsageLicensed,
	}
}

// metered returns a USD subscription line on a metered price.
func metered(id, product string, cents int64, start, end time.Time) Line {
	l := sub(id, product, cents, start, end)
	l.UsageType = UsageMetered
	return l
}

// oneOff returns a USD invoice item line on a one-time price.
func oneOff(id, product string, cents int64, start, end time.Time) Line {
	return Line{
		ID: id, Amount: cents, Currency: "usd",
		PeriodStart: start, PeriodEnd: end, ProductID: product,
	}
}

// invoice returns a USD invoice.
func invoice(id, customer, status string, lines ...Line) Invoice {
	return Invoice{
		ID: id, Customer: customer, Status: status, Currency: "usd",
		Created: day(2026, time.November, 1), Lines: lines,
	}
}

// novLine returns a licensed line covering all of November.
func novLine(id, product string, cents int64) Line {
	return sub(id, product, cents, nov.Start(), nov.End())
}

// aiSet marks prod_chat and prod_agent as AI products.
var aiSet = productSet{"prod_chat": true, "prod_agent": true}

// ratString prints an amount for failure messages.
func ratString(r *big.Rat) string {
	if r == nil {
		return "<nil>"
	}
	return r.RatString()
}
