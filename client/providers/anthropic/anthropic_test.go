package anthropic

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/client/providers/cost"
	"github.com/infermargin/infermargin/client/providers/fetch"
)

var aug1 = time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)

// d returns the start of day i after August 1st.
func d(i int) time.Time { return aug1.AddDate(0, 0, i) }

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

// bucket is day i's cost in dollars, amount as a decimal or a/b.
func bucket(i int, amount, currency string) cost.Bucket {
	return cost.Bucket{Start: d(i), End: d(i + 1), Amount: rat(amount),
		Currency: currency}
}

var cmpRat = cmp.Comparer(func(a, b *big.Rat) bool {
	return a != nil && b != nil && a.Cmp(b) == 0
})

// usd is a result of cents, given as the API does: a decimal string.
func usd(cents string) result { return result{`"` + cents + `"`, "USD"} }

func TestCosts(t *testing.T) {
	tests := []struct {
		name      string
		ndays     int
		days      map[time.Time][]result
		pageSize  int
		want      []cost.Bucket
		wantCalls int64
		wantUSD   string
	}{
		{"cents become dollars", 3, map[time.Time][]result{
			d(0): {usd("123.45")}, d(1): {usd("10")},
			d(2): {usd("0.5")}}, maxLimit,
			[]cost.Bucket{bucket(0, "1.2345", "usd"),
				bucket(1, "0.1", "usd"), bucket(2, "0.005", "usd")},
			1, "1.3395"},
		{"0.1 plus 0.2 cents is exactly 3/1000 dollars", 1,
			map[time.Time][]result{d(0): {usd("0.1"), usd("0.2")}},
			maxLimit, []cost.Bucket{bucket(0, "3/1000", "usd")}, 1,
			"0.003"},
		{"many decimals", 2, map[time.Time][]result{
			d(0): {usd("0.000000000123456789123456789")},
			d(1): {usd("98765432.10987654321"), {`1e-2`, "USD"}}},
			maxLimit, []cost.Bucket{
				bucket(0, "0.00000000000123456789123456789", "usd"),
				bucket(1, "987654.3211987654321", "usd")},
			1, "987654.32119876543333456789123456789"},
		{"four pages with empty days", 10, map[time.Time][]result{
			d(0): {usd("10")}, d(4): {usd("20")}, d(9): {usd("70")}}, 3,
			[]cost.Bucket{bucket(0, "0.1", "usd"),
				bucket(4, "0.2", "usd"), bucket(9, "0.7", "usd")},
			4, "1"},
		{"currencies apart and lowercased", 1, map[time.Time][]result{
			d(0): {usd("100"), {`"250"`, "EUR"}, {`"50"`, "usd"}}},
			maxLimit, []cost.Bucket{bucket(0, "2.5", "eur"),
				bucket(0, "1.5", "usd")}, 1, "1.5"},
		{"no spend in a month", 31, nil, 7, nil, 5, "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{key: testKey, start: d(0), end: d(tc.ndays),
				days: tc.days, pageSize: tc.pageSize}
			c, _ := serve(t, f, fetch.Retry{})
			got, err := c.Costs(context.Background(), d(0), d(tc.ndays))
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
	busy := `{"type":"error","error":{"type":"rate_limit_error",` +
		`"message":"Number of requests has exceeded your rate limit"}}`
	over := `{"type":"error","error":{"type":"overloaded_error",` +
		`"message":"Overloaded"}}`
	tests := []struct {
		name      string
		before    []reply
		attempts  int
		wantCalls int64
		wantWaits []time.Duration
		wantErr   []string
	}{
		{"429 with retry-after then ok",
			[]reply{{429, map[string]string{"Retry-After": "12"}, busy}},
			0, 3, []time.Duration{12 * s}, nil},
		{"503 twice then ok", []reply{{503, nil, ""}, {503, nil, ""}},
			0, 4, []time.Duration{s, 2 * s}, nil},
		{"529 overloaded then ok", []reply{{529, nil, over}}, 0, 3,
			[]time.Duration{s}, nil},
		{"500 forever", []reply{{500, nil, ""}, {500, nil, ""}}, 2, 2,
			[]time.Duration{s},
			[]string{"anthropic /v1/organizations/cost_report: " +
				"status 500 after 2 attempts"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{key: testKey, start: d(0), end: d(4), pageSize: 2,
				days:   map[time.Time][]result{d(3): {usd("50")}},
				before: tc.before}
			c, sl := serve(t, f, fetch.Retry{Attempts: tc.attempts})
			got, err := c.Costs(context.Background(), d(0), d(4))
			checkErr(t, err, tc.wantErr)
			if err == nil && (len(got) != 1 ||
				got[0].Amount.Cmp(rat("0.5")) != 0) {
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
	f := &fake{key: "sk-ant-admin01-the-other-key", start: d(0),
		end: d(1), pageSize: 1}
	c, sl := serve(t, f, fetch.Retry{})
	_, err := c.Costs(context.Background(), d(0), d(1))
	checkErr(t, err, []string{"status 401",
		"authentication_error: invalid x-api-key", "admin read scope",
		"admin keys"})
	if !errors.Is(err, fetch.ErrAuth) {
		t.Errorf("err = %v, want %v", err, fetch.ErrAuth)
	}
	if c.Calls() != 1 || len(sl.waits) != 0 {
		t.Errorf("Calls() = %d, waits %v; want 1 and none", c.Calls(),
			sl.waits)
	}
}

func TestFakeRejectsMissingHeaders(t *testing.T) {
	srv := httptest.NewServer(&fake{key: testKey, start: d(0),
		end: d(1), pageSize: 1})
	defer srv.Close()
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"no key", map[string]string{"anthropic-version": Version}, 401},
		{"no version", map[string]string{"x-api-key": testKey}, 400},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest("GET", srv.URL+costPath, nil)
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("fake with %s = %d, want %d", tc.name,
				resp.StatusCode, tc.want)
		}
	}
}

func TestCostsWrongKeyNotSent(t *testing.T) {
	f := &fake{key: testKey, start: d(0), end: d(1), pageSize: 1}
	c, _ := serve(t, f, fetch.Retry{})
	c.AdminKey = "sk-ant-api03-TESTKEYcdef"
	_, err := c.Costs(context.Background(), d(0), d(1))
	checkErr(t, err, []string{"a standard API key (sk-ant-api...)"})
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
	_, err := c.Costs(ctx, d(0), d(1))
	if !errors.Is(err, context.Canceled) || c.Calls() != 1 {
		t.Errorf("Costs(cancelled) = %v after %d calls, want %v after 1",
			err, c.Calls(), context.Canceled)
	}
}

func TestCostsUTC(t *testing.T) {
	paris := time.FixedZone("CEST", 2*3600)
	f := &fake{key: testKey, start: d(0), end: d(2), pageSize: 7,
		days: map[time.Time][]result{d(1): {usd("1")}}}
	c, _ := serve(t, f, fetch.Retry{})
	got, err := c.Costs(context.Background(), d(0).In(paris),
		d(2).In(paris))
	if err != nil || len(got) != 1 || !got[0].Start.Equal(d(1)) {
		t.Errorf("Costs(local times) = %v, %v; want day 1", got, err)
	}
}

func TestCheckKey(t *testing.T) {
	tests := []struct{ key, want string }{
		{"sk-ant-admin01-abc", ""},
		{"", "no key given"},
		{"sk-ant-api03-TESTKEYcdef", "a standard API key"},
		{"sk-ant-oat01-TESTKEYcdef", "not an admin key (sk-ant-...)"},
		{"sk-admin-TESTKEYcdef", "an OpenAI key (sk-...)"},
		{"TESTKEYcdef", "not an Anthropic key"},
		{"sk-ant-admin01-TESTKEYcdef ", "spaces"},
	}
	for _, tc := range tests {
		err := CheckKey(tc.key)
		if tc.want == "" {
			if err != nil {
				t.Errorf("CheckKey(%q) = %v, want nil", tc.key, err)
			}
			continue
		}
		checkErr(t, err, []string{tc.want, "Claude Console",
			"admin keys", "sk-ant-admin"})
		if !errors.Is(err, fetch.ErrKeyKind) {
			t.Errorf("CheckKey(%q) = %v, want %v", tc.key, err,
				fetch.ErrKeyKind)
		}
	}
}

// rawPage is a page with one bucket on day 0 holding results.
func rawPage(results, more string) string {
	return fmt.Sprintf(`{"data":[{"starting_at":"2025-08-01T00:00:00Z",`+
		`"ending_at":"2025-08-02T00:00:00Z","results":[%s]}],%s}`,
		results, more)
}

const last = `"has_more":false,"next_page":null`

func TestCostsBadPages(t *testing.T) {
	tests := []struct {
		name  string
		pages []string
		want  string
	}{
		{"not an object", []string{`4242.17`}, "not a JSON object"},
		{"amount missing", []string{rawPage(`{"currency":"USD"}`, last)},
			"bucket 0 result 0: no amount"},
		{"amount null", []string{rawPage(`{"currency":"USD",`+
			`"amount":null}`, last)}, "not a decimal amount"},
		{"amount with a unit", []string{rawPage(`{"currency":"USD",`+
			`"amount":"4242.17 cents"}`, last)}, "not a decimal amount"},
		{"amount a fraction", []string{rawPage(`{"currency":"USD",`+
			`"amount":"4242/17"}`, last)}, "not a decimal amount"},
		{"currency missing", []string{rawPage(`{"amount":"4242.17"}`,
			last)}, "currency"},
		{"bad time", []string{`{"data":[{"starting_at":"2025-08-01",` +
			`"ending_at":"2025-08-02T00:00:00Z","results":[]}]}`},
			"bucket 0: bad starting_at"},
		{"has_more without next_page", []string{rawPage("",
			`"has_more":true,"next_page":null`)},
			"has_more without next_page"},
		{"bucket comes twice", []string{
			rawPage(`{"currency":"USD","amount":"4242.17"}`,
				`"has_more":true,"next_page":"p2"`),
			rawPage(`{"currency":"USD","amount":"4242.17"}`, last)},
			"page 2: malformed answer: bucket at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{key: testKey, start: d(0), end: d(1)}
			for _, p := range tc.pages {
				f.before = append(f.before, reply{200, nil, p})
			}
			c, _ := serve(t, f, fetch.Retry{})
			got, err := c.Costs(context.Background(), d(0), d(1))
			checkErr(t, err, []string{"anthropic /v1/organizations/" +
				"cost_report: page", tc.want})
			if !errors.Is(err, fetch.ErrMalformed) || got != nil {
				t.Errorf("Costs() = %v, %v; want no buckets and %v", got,
					err, fetch.ErrMalformed)
			}
			if strings.Contains(err.Error(), "4242") {
				t.Errorf("err = %q holds an amount", err)
			}
		})
	}
}

// FuzzAnthropicPage checks that decoding a cost report page never
// panics, and that every amount of a page it accepts is a finite
// decimal.
func FuzzAnthropicPage(f *testing.F) {
	f.Add([]byte(rawPage(`{"currency":"USD","amount":"123.45",`+
		`"description":"Claude Sonnet 4 Usage - Input Tokens",`+
		`"cost_type":"tokens","model":"claude-sonnet-4-20250514"}`,
		last)))
	f.Add([]byte(rawPage(`{"currency":"USD","amount":"0.1"},`+
		`{"currency":"EUR","amount":2.5e-3}`,
		`"has_more":true,"next_page":"page_MjAyNS0wOC0wMg=="`)))
	f.Add([]byte(rawPage("", last)))
	f.Add([]byte(`{"data":null}`))
	f.Add([]byte(`{"data":[{"starting_at":"2025-08-02T00:00:00+02:00",` +
		`"ending_at":"2025-08-01T00:00:00Z"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeCost(body)
		if err != nil {
			return
		}
		bs, err := p.buckets(map[time.Time]bool{})
		if err != nil {
			return
		}
		for _, b := range bs {
			if b.Amount == nil || !cost.IsDecimal(b.Amount) ||
				!b.End.After(b.Start) || len(b.Currency) != 3 {
				t.Errorf("accepted bucket %+v", b)
			}
		}
	})
}
