package api

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/infermargin/infermargin/crypto/sign"
)

func TestSignedRequest(t *testing.T) {
	s, err := sign.GenerateSigner()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := sign.GenerateSigner()
	key, _ := s.Verifier()
	otherKey, _ := other.Verifier()
	now := time.Unix(1_800_000_000, 0)
	signed := func() *http.Request {
		r, _ := http.NewRequest(http.MethodGet,
			"http://node/v1/private/reports?period=2026-11", nil)
		if err := SignRequest(r, "acme", s, now); err != nil {
			t.Fatal(err)
		}
		return r
	}
	tests := []struct {
		name   string
		change func(*http.Request)
		key    *sign.Verifier
		at     time.Time
		want   string // in the error; "" for none
	}{
		{"good", func(*http.Request) {}, key, now, ""},
		{"clock a little off", func(*http.Request) {}, key,
			now.Add(4 * time.Minute), ""},
		{"too old", func(*http.Request) {}, key,
			now.Add(6 * time.Minute), "from the node's clock"},
		{"from the future", func(*http.Request) {}, key,
			now.Add(-6 * time.Minute), "from the node's clock"},
		{"other key", func(*http.Request) {}, otherKey, now,
			"does not verify"},
		{"other query", func(r *http.Request) {
			r.URL.RawQuery = "period=2026-10"
		}, key, now, "does not verify"},
		{"other company", func(r *http.Request) {
			r.Header.Set(HeaderCompany, "globex")
		}, key, now, "does not verify"},
		{"no company", func(r *http.Request) {
			r.Header.Del(HeaderCompany)
		}, key, now, HeaderCompany},
		{"bad time", func(r *http.Request) {
			r.Header.Set(HeaderTime, "yesterday")
		}, key, now, HeaderTime},
		{"bad signature", func(r *http.Request) {
			r.Header.Set(HeaderSignature, "!!")
		}, key, now, HeaderSignature},
		{"no signature", func(r *http.Request) {
			r.Header.Del(HeaderSignature)
		}, key, now, HeaderSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signed()
			tt.change(r)
			err := verifyRequest(r, tt.key, tt.at)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("verify = %v, want nil", err)
			case tt.want != "" && (err == nil ||
				!strings.Contains(err.Error(), tt.want)):
				t.Errorf("verify = %v, want an error saying %q", err,
					tt.want)
			}
		})
	}
}

func verifyRequest(r *http.Request, key *sign.Verifier,
	now time.Time) error {
	sr, err := ParseSignedRequest(r.Header)
	if err != nil {
		return err
	}
	return sr.Verify(r.Method, r.URL.RequestURI(), key, now)
}

// FuzzParseSignedRequest reads arbitrary header values. It must not
// panic, and what it accepts must carry what the headers said.
func FuzzParseSignedRequest(f *testing.F) {
	f.Add("acme", "1800000000", "AAAA")
	f.Add("", "-1", "")
	f.Add("acme", "99999999999999999999", "====")
	f.Fuzz(func(t *testing.T, company, unix, sig string) {
		h := http.Header{}
		h.Set(HeaderCompany, company)
		h.Set(HeaderTime, unix)
		h.Set(HeaderSignature, sig)
		sr, err := ParseSignedRequest(h)
		if err != nil {
			return
		}
		at, _ := strconv.ParseInt(h.Get(HeaderTime), 10, 64)
		if sr.Company != h.Get(HeaderCompany) || sr.Time.Unix() != at ||
			len(sr.Signature) == 0 {
			t.Fatalf("parsed %+v from %v", sr, h)
		}
	})
}
