package openai

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/client/providers/cost"
	"github.com/infermargin/infermargin/client/providers/fetch"
)

var aug1 = time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)

// d returns the start of day i after August 1st, in unix seconds.
func d(i int) int64 { return aug1.AddDate(0, 0, i).Unix() }

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

// bucket is day i's cost in dollars, amount as a decimal or a/b.
func bucket(i int, amount, currency string) cost.Bucket {
	return cost.Bucket{Start: aug1.AddDate(0, 0, i),
		End: aug1.AddDate(0, 0, i+1), Amount: rat(amount),
		Currency: currency}
}

var cmpRat = cmp.Comparer(func(a, b *big.Rat) bool {
	return a != nil && b != nil && a.Cmp(b) == 0
})

func usd(v string) result { return result{v, "usd"} }

func TestCosts(t *testing.T) {
	tests := []struct {
		name      string
		ndays     int
		days      map[int64][]result
		pageSize  int
		want      []cost.Bucket
		wantCalls int64
		wantUSD   string
	}{
		{"numbers on one page", 3, map[int64][]result{
			d(0): {usd(`0.06`)}, d(1): {usd(`12.5`)}, d(2): {usd(`1`)}},
			maxLimit, []cost.Bucket{bucket(0, "0.06", "usd"),
				bucket(1, "12.5", "usd"), bucket(2, "1", "usd")},
			1, "13.56"},
		{"0.1 plus 0.2 is exactly 3/10", 1, map[int64][]result{
			d(0): {usd(`0.1`), usd(`0.2`)}}, maxLimit,
			[]cost.Bucket{bucket(0, "3/10", "usd")}, 1, "3/10"},
		{"strings with many decimals", 2, map[int64][]result{
			d(0): {usd(`"0.000000001234567890123"`)},
			d(1): {usd(`"1234567.8900000000000000001"`), usd(`1e-2`)}},
			maxLimit, []cost.Bucket{
				bucket(0, "0.000000001234567890123", "usd"),
				bucket(1, "1234567.9000000000000000001", "usd")},
			1, "1234567.900000001234567890223"},
		{"four pages with empty days", 10, map[int64][]result{
			d(0): {usd(`0.1`)}, d(4): {usd(`"0.2"`)},
			d(9): {usd(`0.7`)}}, 3,
			[]cost.Bucket{bucket(0, "1/10", "usd"),
				bucket(4, "1/5", "usd"), bucket(9, "7/10", "usd")},
			4, "1"},
		{"currencies apart and lowercased", 1, map[int64][]result{
			d(0): {usd(`1`), {`2`, "EUR"}, {`"3"`, "USD"}}}, maxLimit,
			[]cost.Bucket{bucket(0, "2", "eur"), bucket(0, "4", "usd")},
			1, "4"},
		{"no spend at all", 31, nil, 7, nil, 5, "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{key: testKey, start: d(0), end: d(tc.ndays),
				days: tc.days, pageSize: tc.pageSize}
			c, _ := serve(t, f, fetch.Retry{})
			got, err := c.Costs(context.Background(), aug1,
				aug1.AddDate(0, 0, tc.ndays))
			if err != nil {
				t.Fatalf("Costs() = %v", err)
			}
			if diff := cmp.Diff(tc.want, got, cmpRat); diff != "" {
				t.Errorf("Costs() mismatch (-want +got):\n%s", diff)
			}
			total := cost.Total(got)["usd"]
			if total == nil {
				total = new(big.Rat)
			}
			if total.Cmp(rat(tc.wantUSD)) != 0 {
				t.Errorf("total usd = %v, want %s", total, tc.wantUSD)
			}
			if c.Calls() != tc.wantCalls || int64(f.calls) != tc.wantCalls {
				t.Errorf("Calls() = %d (fake saw %d), want %d",
					c.Calls(), f.calls, tc.wantCalls)
			}
		})
	}
}

func TestCostsRetries(t *testing.T) {
	s := time.Second
	busy := `{"error":{"message":"Rate limit reached","type":"requests"}}`
	tests := []struct {
		name      string
		before    []reply
		attempts  int
		wantCalls int64
		wantWaits []time.Duration
		wantErr   []string
	}{
		{"429 with retry-after then ok",
			[]reply{{429, map[string]string{"Retry-After": "20"}, busy}},
			0, 3, []time.Duration{20 * s}, nil},
		{"503 twice then ok", []reply{{503, nil, ""}, {503, nil, ""}},
			0, 4, []time.Duration{s, 2 * s}, nil},
		{"500 forever", []reply{{500, nil, ""}, {500, nil, ""},
			{500, nil, ""}}, 3, 3, []time.Duration{s, 2 * s},
			[]string{"openai /v1/organization/costs: status 500 after " +
				"3 attempts"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{key: testKey, start: d(0), end: d(4), pageSize: 2,
				days:   map[int64][]result{d(3): {usd(`0.5`)}},
				before: tc.before}
			c, sl := serve(t, f, fetch.Retry{Attempts: tc.attempts})
			got, err := c.Costs(context.Background(), aug1,
				aug1.AddDate(0, 0, 4))
			checkErr(t, err, tc.wantErr)
			if err == nil && (len(got) != 1 ||
				got[0].Amount.Cmp(rat("1/2")) != 0) {
				t.Errorf("Costs() = %v, want day 3 at 1/2", got)
			}
			if c.Calls() != tc.wantCalls {
				t.Errorf("Calls() = %d, want %d", c.Calls(), tc.wantCalls)
			}
			if diff := cmp.Diff(tc.wantWaits, sl.waits); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// checkErr checks that err holds every text of want (nil when want is
// empty) and never the key.
func checkErr(t *testing.T, err error, want []string) {
	t.Helper()
	if (err != nil) != (len(want) > 0) {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if err == nil {
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("err = %q, want it to hold %q", err, w)
		}
	}
	for _, k := range []string{testKey, "TESTKEY", "cdef"} {
		if strings.Contains(err.Error(), k) {
			t.Errorf("err = %q holds the key (%q)", err, k)
		}
	}
}

func TestCostsUnauthorized(t *testing.T) {
	f := &fake{key: "sk-admin-the-other-key", start: d(0), end: d(1),
		pageSize: 1}
	c, sl := serve(t, f, fetch.Retry{})
	_, err := c.Costs(context.Background(), aug1, aug1.AddDate(0, 0, 1))
	checkErr(t, err, []string{"status 401", "Incorrect API key",
		"admin read scope", "admin keys"})
	if !errors.Is(err, fetch.ErrAuth) {
		t.Errorf("err = %v, want %v", err, fetch.ErrAuth)
	}
	if c.Calls() != 1 || len(sl.waits) != 0 {
		t.Errorf("Calls() = %d, waits %v; want 1 and none", c.Calls(),
			sl.waits)
	}
}

func TestCostsWrongKeyNotSent(t *testing.T) {
	f := &fake{key: testKey, start: d(0), end: d(1), pageSize: 1}
	c, _ := serve(t, f, fetch.Retry{})
	c.AdminKey = "sk-proj-TESTKEYcdef"
	_, err := c.Costs(context.Background(), aug1, aug1.AddDate(0, 0, 1))
	checkErr(t, err, []string{"project key (sk-proj-...)"})
	if !errors.Is(err, fetch.ErrKeyKind) || c.Calls() != 0 {
		t.Errorf("err, Calls() = %v, %d; want %v, 0", err, c.Calls(),
			fetch.ErrKeyKind)
	}
}

func TestCostsCancelled(t *testing.T) {
	f := &fake{key: testKey, start: d(0), end: d(1), pageSize: 1,
		before: []reply{{503, nil, ""}}}
	c, _ := serve(t, f, fetch.Retry{})
	ctx, cancel := context.WithCancel(context.Background())
	c.Retry.Sleep = func(ctx context.Context, _ time.Duration) error {
		cancel()
		return ctx.Err()
	}
	_, err := c.Costs(ctx, aug1, aug1.AddDate(0, 0, 1))
	if !errors.Is(err, context.Canceled) || c.Calls() != 1 {
		t.Errorf("Costs(cancelled) = %v after %d calls, want %v after 1",
			err, c.Calls(), context.Canceled)
	}
}

func TestCostsBadRange(t *testing.T) {
	c := &Client{AdminKey: testKey, BaseURL: "http://127.0.0.1:1"}
	_, err := c.Costs(context.Background(), aug1, aug1)
	if err == nil || c.Calls() != 0 {
		t.Errorf("Costs(empty range) = %v after %d calls, want an "+
			"error and no call", err, c.Calls())
	}
}

func TestCheckKey(t *testing.T) {
	tests := []struct{ key, want string }{
		{"sk-admin-abc", ""},
		{"", "no key given"},
		{"sk-proj-TESTKEYcdef", "a project key (sk-proj-...)"},
		{"sk-svcacct-TESTKEYcdef", "a service account key"},
		{"sk-TESTKEYcdef", "a user API key (sk-...)"},
		{"sk-ant-admin01-TESTKEYcdef", "an Anthropic key (sk-ant-...)"},
		{"TESTKEYcdef", "not an OpenAI key"},
		{"sk-admin-TESTKEYcdef\n", "line breaks"},
	}
	for _, tc := range tests {
		err := CheckKey(tc.key)
		if tc.want == "" {
			if err != nil {
				t.Errorf("CheckKey(%q) = %v, want nil", tc.key, err)
			}
			continue
		}
		checkErr(t, err, []string{tc.want, "organization settings",
			"admin keys", "sk-admin-"})
		if !errors.Is(err, fetch.ErrKeyKind) {
			t.Errorf("CheckKey(%q) = %v, want %v", tc.key, err,
				fetch.ErrKeyKind)
		}
	}
}
