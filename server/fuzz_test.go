package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/infermargin/infermargin/server/api"
)

// FuzzUploadEndpoint posts arbitrary bodies to a node's upload
// endpoint. Whatever arrives, the node answers 201 or a 4xx with a JSON
// error and a code, never a 5xx: bad input is the caller's fault.
func FuzzUploadEndpoint(f *testing.F) {
	p := newPair(f)
	b := batchOf("fuzz@1")
	p.open(f, b)
	cs := p.companies(f, 1, 3, false)
	r, err := cs[0].Client.NewReport(b, cs[0].Buckets)
	if err != nil {
		f.Fatal(err)
	}
	good, err := json.Marshal(api.FromReport(r))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"id": 5}`))
	f.Add([]byte(`[]`))
	url := p.srv[1].URL + "/v1/uploads"
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := http.Post(url, "application/json",
			bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusCreated {
			return
		}
		var e api.Error
		if resp.StatusCode >= 500 || json.Unmarshal(raw, &e) != nil ||
			e.Error.Code == "" {
			t.Fatalf("upload answered %d %s", resp.StatusCode, raw)
		}
	})
}
