package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/infermargin/infermargin/client/providers/cost"
	"github.com/infermargin/infermargin/client/providers/fetch"
)

// rawPage is a page with one bucket on day 0 holding results.
func rawPage(results string, more string) string {
	return fmt.Sprintf(`{"object":"page","data":[{"object":"bucket",`+
		`"start_time":%d,"end_time":%d,"results":[%s]}],%s}`, d(0), d(1),
		results, more)
}

const last = `"has_more":false,"next_page":null`

func TestCostsBadPages(t *testing.T) {
	amt := func(v string) string {
		return `{"object":"organization.costs.result","amount":` + v + `}`
	}
	tests := []struct {
		name  string
		pages []string
		want  string
	}{
		{"not JSON", []string{`<html>4242.17</html>`}, "bad JSON"},
		{"amount missing", []string{rawPage(`{"object":"x"}`, last)},
			"bucket 0 result 0: no amount"},
		{"value missing", []string{rawPage(amt(`{"currency":"usd"}`),
			last)}, "bucket 0 result 0: no amount"},
		{"value null", []string{rawPage(amt(`{"value":null,`+
			`"currency":"usd"}`), last)}, "not a decimal amount"},
		{"value with a unit", []string{rawPage(amt(`{"value":`+
			`"4242.17 USD","currency":"usd"}`), last)},
			"not a decimal amount"},
		{"value too large", []string{rawPage(amt(`{"value":4242e999,`+
			`"currency":"usd"}`), last)}, "not a decimal amount"},
		{"value as an object", []string{rawPage(amt(`{"value":`+
			`{"v":4242.17},"currency":"usd"}`), last)},
			"not a decimal amount"},
		{"currency missing", []string{rawPage(amt(`{"value":4242.17}`),
			last)}, "currency"},
		{"has_more without next_page", []string{rawPage("",
			`"has_more":true,"next_page":null`)},
			"has_more without next_page"},
		{"bucket comes twice", []string{
			rawPage(amt(`{"value":4242.17,"currency":"usd"}`),
				`"has_more":true,"next_page":"p2"`),
			rawPage(amt(`{"value":4242.17,"currency":"usd"}`), last)},
			"page 2: malformed answer: bucket at"},
		{"bucket ends before it starts", []string{fmt.Sprintf(
			`{"data":[{"start_time":%d,"end_time":%d,"results":[]}]}`,
			d(1), d(0))}, "bucket 0: bad start_time"},
		{"start_time as a string", []string{`{"data":[{"start_time":` +
			`"4242","end_time":1,"results":[]}]}`},
			"data.start_time has the wrong JSON type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{key: testKey, start: d(0), end: d(1)}
			for _, p := range tc.pages {
				f.before = append(f.before, reply{200, nil, p})
			}
			c, _ := serve(t, f, fetch.Retry{})
			got, err := c.Costs(context.Background(), aug1,
				aug1.AddDate(0, 0, 1))
			checkErr(t, err, []string{"openai /v1/organization/costs: " +
				"page", tc.want})
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

func TestFakeRejectsMissingAuth(t *testing.T) {
	srv := httptest.NewServer(&fake{key: testKey, start: d(0),
		end: d(1), pageSize: 1})
	defer srv.Close()
	resp, err := http.Get(srv.URL + costsPath + "?start_time=" +
		fmt.Sprint(d(0)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("fake without auth = %d, want 401", resp.StatusCode)
	}
}

// FuzzOpenAIPage checks that decoding a costs page never panics, and
// that every amount of a page it accepts is a finite decimal.
func FuzzOpenAIPage(f *testing.F) {
	f.Add([]byte(rawPage(`{"amount":{"value":0.06,"currency":"usd"}}`,
		last)))
	f.Add([]byte(rawPage(`{"amount":{"value":"1.5e-3","currency":"USD"}},`+
		`{"amount":{"value":"0.1","currency":"eur"}}`,
		`"has_more":true,"next_page":"page_x"`)))
	f.Add([]byte(rawPage("", last)))
	f.Add([]byte(`{"data":null}`))
	f.Add([]byte(`{"data":[{"start_time":1,"end_time":0}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeCosts(body)
		if err != nil {
			return
		}
		bs, err := p.buckets(map[int64]bool{})
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
