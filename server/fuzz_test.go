package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/servertest"
)

// FuzzUploadEndpoint posts arbitrary bodies to a node's upload
// endpoint. Whatever arrives, the node answers 201 or a 4xx with a JSON
// error and a code, never a 5xx: bad input is the caller's fault.
func FuzzUploadEndpoint(f *testing.F) {
	p := newPair(f)
	cs := p.companies(f, 10, 3, false)
	b := p.cohort(f, "fuzz", servertest.DefaultAnswers.UseCase)
	p.open(f, b)
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
		postAny(t, url, body, http.StatusCreated)
	})
}

// postAny posts body to url and fails unless the answer has one of the
// ok statuses or is a 4xx with a JSON error and a code.
func postAny(t *testing.T, url string, body []byte, ok ...int) {
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if slices.Contains(ok, resp.StatusCode) {
		return
	}
	var e api.Error
	if resp.StatusCode >= 500 || json.Unmarshal(raw, &e) != nil ||
		e.Error.Code == "" {
		t.Fatalf("POST %s answered %d %s", url, resp.StatusCode, raw)
	}
}

// FuzzEnrollmentEndpoint posts arbitrary bodies to a node's public
// enrollment endpoint: it answers 200, 201 or a 4xx with a JSON error
// and a code, never a 5xx.
func FuzzEnrollmentEndpoint(f *testing.F) {
	p := newPair(f)
	c := p.newCompanies(f, 1, 3, false)[0]
	raw, err := c.Key.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	req := &api.EnrollmentRequest{Company: c.ID, Key: api.EncodeKey(raw),
		Answers: servertest.DefaultAnswers}
	sig, err := c.Signer.Sign(sign.KindEnrollment, req.SignedBytes())
	if err != nil {
		f.Fatal(err)
	}
	req.Signature = base64.StdEncoding.EncodeToString(sig)
	good, err := json.Marshal(req)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"company":"a","answers":{"use_case":["x","y"]}}`))
	url := p.srv[0].URL + "/v1/enrollments"
	f.Fuzz(func(t *testing.T, body []byte) {
		postAny(t, url, body, http.StatusCreated, http.StatusOK)
	})
}
