package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type testPage struct {
	Cursor
	Data []int `json:"data"`
}

func TestPages(t *testing.T) {
	odd := "page_MjAy+NS0w/NS0x=&x=1%20"
	tests := []struct {
		name      string
		replies   []reply
		wantData  []int
		wantPages []string // the page parameter of each call
		wantMsg   string
	}{
		{"one page", []reply{ok(`{"data":[1],"has_more":false,` +
			`"next_page":null}`)}, []int{1}, []string{""}, ""},
		{"tokens passed back exactly", []reply{
			ok(`{"data":[1,2],"has_more":true,"next_page":"` + odd + `"}`),
			ok(`{"data":[],"has_more":true,"next_page":"b"}`),
			ok(`{"data":[3],"has_more":false,"next_page":null}`)},
			[]int{1, 2, 3}, []string{"", odd, "b"}, ""},
		{"has_more without next_page", []reply{
			ok(`{"data":[1],"has_more":true,"next_page":null}`)},
			[]int{1}, []string{""}, "page 1: malformed answer: " +
				"has_more without next_page"},
		{"token repeats", []reply{
			ok(`{"has_more":true,"next_page":"a"}`),
			ok(`{"has_more":true,"next_page":"b"}`),
			ok(`{"has_more":true,"next_page":"a"}`)},
			nil, []string{"", "a", "b"}, "page 3: malformed answer: " +
				"next_page repeats"},
		{"bad page", []reply{ok(`{"data":"x"}`)}, nil, []string{""},
			"acme /v1/list: page 1: malformed answer: data has the " +
				"wrong JSON type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &script{replies: tc.replies}
			c, _ := newClient(t, s, Retry{})
			var got []int
			err := c.Pages(context.Background(), "/v1/list",
				map[string][]string{"limit": {"2"}},
				func(body []byte) (Cursor, error) {
					var p testPage
					err := Decode(body, &p)
					got = append(got, p.Data...)
					return p.Cursor, err
				})
			if tc.wantMsg == "" && err != nil ||
				!strings.Contains(fmt.Sprint(err), tc.wantMsg) {
				t.Errorf("Pages() = %v, want %q", err, tc.wantMsg)
			}
			if diff := cmp.Diff(tc.wantData, got); diff != "" {
				t.Errorf("data mismatch (-want +got):\n%s", diff)
			}
			var pages []string
			for _, q := range s.queries {
				pages = append(pages, q.Get("page"))
				if q.Get("limit") != "2" {
					t.Errorf("limit = %q, want 2 on every page",
						q.Get("limit"))
				}
			}
			if diff := cmp.Diff(tc.wantPages, pages); diff != "" {
				t.Errorf("page tokens mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeHidesValues(t *testing.T) {
	var v struct {
		N string `json:"n"`
	}
	tests := []string{`{"n": 4242.17}`, `{"n": "4242.17"`,
		`{"n": 4242.17x}`}
	for _, in := range tests {
		err := Decode([]byte(in), &v)
		if !errors.Is(err, ErrMalformed) ||
			strings.Contains(err.Error(), "4242") {
			t.Errorf("Decode(%s) = %v, want %v without the value", in,
				err, ErrMalformed)
		}
	}
}

func TestSecretDoesNotPrint(t *testing.T) {
	type conf struct {
		Name string
		Key  Secret
	}
	c := conf{"x", Secret(testKey)}
	var outs []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x",
		"%d"} {
		outs = append(outs, fmt.Sprintf(f, c), fmt.Sprintf(f, c.Key))
	}
	j, _ := json.Marshal(c)
	outs = append(outs, string(j), fmt.Sprint(&c))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("e", "conf", c,
		"key", c.Key)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("e", "conf", c,
		"key", c.Key)
	outs = append(outs, buf.String())
	for _, o := range outs {
		if strings.Contains(o, "TESTKEY") ||
			!strings.Contains(o, redacted) {
			t.Errorf("printed %q, want %s and no key", o, redacted)
		}
	}
	if string(c.Key) != testKey {
		t.Errorf("string(Key) = %q, want the key", string(c.Key))
	}
}
