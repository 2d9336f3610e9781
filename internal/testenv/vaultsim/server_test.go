package vaultsim

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// call sends one request and returns the status and the decoded body
// (nil for an empty one).
func call(
	t *testing.T, s *Server, method, path, tok, body string,
) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path,
		strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("X-Vault-Token", tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 {
		return resp.StatusCode, nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: body %q is not JSON: %v", method, path, b, err)
	}
	return resp.StatusCode, m
}

func TestErrors(t *testing.T) {
	s := New()
	defer s.Close()
	root := s.RootToken()
	call(t, s, "POST", "/v1/transit/keys/k", root, "")

	tests := []struct {
		name, method, path, tok, body string
		status                        int
		errors                        []any
	}{
		{"no token", "GET", "/v1/auth/token/lookup-self", "", "",
			403, []any{"permission denied"}},
		{"bad token", "GET", "/v1/secret/data/x", "hvs.nope", "",
			403, []any{"permission denied"}},
		{"missing secret", "GET", "/v1/secret/data/x", root, "",
			404, []any{}},
		{"missing version", "GET", "/v1/secret/data/x?version=2", root,
			"", 404, []any{}},
		{"unknown mount", "GET", "/v1/nope/data/x", root, "", 404,
			[]any{`no handler for route "nope/data/x". route entry ` +
				"not found."}},
		{"not v1", "GET", "/v2/secret/data/x", root, "", 404, []any{}},
		{"wrong method", "GET", "/v1/transit/encrypt/k", root, "",
			405, []any{"unsupported operation"}},
		{"no data", "POST", "/v1/secret/data/x", root, `{}`,
			400, []any{"no data provided"}},
		{"bad json", "POST", "/v1/secret/data/x", root, `{`,
			400, []any{"failed to parse JSON input: unexpected EOF"}},
		{"bad login", "POST", "/v1/auth/approle/login", "",
			`{"role_id":"r","secret_id":"s"}`,
			400, []any{"invalid role or secret ID"}},
		{"login without role id", "POST", "/v1/auth/approle/login", "",
			`{"secret_id":"s"}`, 400, []any{"missing role_id"}},
		{"no prefix", "POST", "/v1/transit/decrypt/k", root,
			`{"ciphertext":"v1:AAAA"}`,
			400, []any{"invalid ciphertext: no prefix"}},
		{"no key", "POST", "/v1/transit/decrypt/other", root,
			`{"ciphertext":"vault:v1:AAAA"}`,
			400, []any{"encryption key not found"}},
		{"undeletable key", "DELETE", "/v1/transit/keys/k", root, "",
			400, []any{"deletion is not allowed for this key"}},
		{"context", "POST", "/v1/transit/encrypt/k", root,
			`{"plaintext":"","context":"Yw=="}`, 400, []any{
				"vaultsim: context, nonce, batch_input and " +
					"key_version are not supported"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body := call(t, s, tt.method, tt.path, tt.tok, tt.body)
			want := map[string]any{"errors": tt.errors}
			if st != tt.status || !cmp.Equal(body, want) {
				t.Errorf("%s %s = %d %v, want %d %v", tt.method,
					tt.path, st, body, tt.status, want)
			}
		})
	}
}

func TestKV(t *testing.T) {
	s := New()
	defer s.Close()
	root := s.RootToken()
	for _, v := range []string{"one", "two"} {
		st, body := call(t, s, "PUT", "/v1/secret/data/a/b", root,
			`{"data":{"k":"`+v+`"}}`)
		if st != 200 || body["data"] == nil {
			t.Fatalf("write %s = %d %v", v, st, body)
		}
	}

	tests := []struct {
		query   string
		want    string
		version float64
	}{
		{"", "two", 2},
		{"?version=0", "two", 2},
		{"?version=1", "one", 1},
	}
	for _, tt := range tests {
		st, body := call(t, s, "GET", "/v1/secret/data/a/b"+tt.query,
			root, "")
		d, _ := body["data"].(map[string]any)
		md, _ := d["metadata"].(map[string]any)
		got := d["data"]
		want := map[string]any{"k": tt.want}
		if st != 200 || !cmp.Equal(got, want) ||
			md["version"] != tt.version {
			t.Errorf("read%s = %d %v, want data %v version %v", tt.query,
				st, body, want, tt.version)
		}
	}
}

// TestEnvelope checks the response shape the KV version 2 read
// documentation shows, which vault/api's KVv2 helper decodes.
func TestEnvelope(t *testing.T) {
	s := New()
	defer s.Close()
	root := s.RootToken()
	call(t, s, "POST", "/v1/secret/data/x", root, `{"data":{"a":"b"}}`)

	_, body := call(t, s, "GET", "/v1/secret/data/x", root, "")
	if got, want := slices.Sorted(maps.Keys(body)), []string{"auth", "data",
		"lease_duration", "lease_id", "mount_type", "renewable",
		"request_id", "warnings", "wrap_info"}; !cmp.Equal(got, want) {
		t.Errorf("top-level keys = %v, want %v", got, want)
	}
	md := body["data"].(map[string]any)["metadata"].(map[string]any)
	if got, want := slices.Sorted(maps.Keys(md)), []string{"created_time",
		"custom_metadata", "deletion_time", "destroyed",
		"version"}; !cmp.Equal(got, want) {
		t.Errorf("metadata keys = %v, want %v", got, want)
	}
	created, _ := md["created_time"].(string)
	if _, err := time.Parse(time.RFC3339, created); err != nil {
		t.Errorf("created_time: %v", err)
	}
}

func TestCAS(t *testing.T) {
	s := New()
	defer s.Close()
	root := s.RootToken()
	tests := []struct {
		body   string
		status int
	}{
		{`{"data":{"a":"1"},"options":{"cas":0}}`, 200},
		{`{"data":{"a":"2"},"options":{"cas":0}}`, 400},
		{`{"data":{"a":"2"},"options":{"cas":1}}`, 200},
	}
	for _, tt := range tests {
		st, body := call(t, s, "POST", "/v1/secret/data/c", root, tt.body)
		if st != tt.status {
			t.Errorf("write %s = %d %v, want %d", tt.body, st, body,
				tt.status)
		}
	}
}

func TestAppRole(t *testing.T) {
	s := New()
	defer s.Close()
	root := s.RootToken()
	call(t, s, "POST", "/v1/auth/approle/role/r", root,
		`{"token_policies":"kv-read,other","token_ttl":"1s"}`)
	_, body := call(t, s, "GET", "/v1/auth/approle/role/r/role-id", root,
		"")
	roleID := body["data"].(map[string]any)["role_id"].(string)
	_, body = call(t, s, "POST", "/v1/auth/approle/role/r/secret-id",
		root, "")
	secretID := body["data"].(map[string]any)["secret_id"].(string)

	st, body := call(t, s, "POST", "/v1/auth/approle/login", "",
		`{"role_id":"`+roleID+`","secret_id":"`+secretID+`"}`)
	auth, _ := body["auth"].(map[string]any)
	pol := []any{"default", "kv-read", "other"}
	if st != 200 || !cmp.Equal(auth["policies"], pol) ||
		auth["lease_duration"] != 1.0 || auth["renewable"] != true {
		t.Fatalf("login = %d %v, want policies %v for 1s", st, body, pol)
	}
	tok := auth["client_token"].(string)

	st, body = call(t, s, "GET", "/v1/auth/token/lookup-self", tok, "")
	d, _ := body["data"].(map[string]any)
	if st != 200 || d["id"] != tok || d["accessor"] != auth["accessor"] ||
		d["path"] != "auth/approle/login" {
		t.Errorf("lookup-self = %d %v, want the login's token", st, body)
	}

	time.Sleep(1100 * time.Millisecond)
	st, _ = call(t, s, "GET", "/v1/auth/token/lookup-self", tok, "")
	if st != 403 {
		t.Errorf("lookup-self after the token's ttl = %d, want 403", st)
	}
}

func TestBearer(t *testing.T) {
	s := New()
	defer s.Close()
	req, _ := http.NewRequest("GET", s.URL()+"/v1/auth/token/lookup-self",
		nil)
	req.Header.Set("Authorization", "Bearer "+s.RootToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("lookup-self with a bearer token = %d, want 200",
			resp.StatusCode)
	}
}

func TestTransit(t *testing.T) {
	s := New()
	defer s.Close()
	root := s.RootToken()
	b64 := base64.StdEncoding.EncodeToString
	pt, ad := b64([]byte("keyset bytes")), b64([]byte("purpose"))

	st, body := call(t, s, "POST", "/v1/transit/encrypt/k", root,
		`{"plaintext":"`+pt+`","associated_data":"`+ad+`"}`)
	d, _ := body["data"].(map[string]any)
	ct, _ := d["ciphertext"].(string)
	if st != 200 || !strings.HasPrefix(ct, "vault:v1:") ||
		d["key_version"] != 1.0 {
		t.Fatalf("encrypt = %d %v, want a vault:v1: ciphertext", st, body)
	}

	tests := []struct {
		name, ad string
		want     any
	}{
		{"same ad", ad, pt},
		{"other ad", b64([]byte("other")), nil},
		{"no ad", "", nil},
	}
	for _, tt := range tests {
		st, body := call(t, s, "POST", "/v1/transit/decrypt/k", root,
			`{"ciphertext":"`+ct+`","associated_data":"`+tt.ad+`"}`)
		d, _ := body["data"].(map[string]any)
		if got := d["plaintext"]; got != tt.want {
			t.Errorf("decrypt with %s = %d %v, want plaintext %v",
				tt.name, st, body, tt.want)
		}
	}
}

func FuzzParseCiphertext(f *testing.F) {
	for _, s := range []string{"", "vault:", "vault:v1:",
		"vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"vault:v2:AAAA", "vault:x:AAAA", "vault:v1:!!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ct, err := parseCiphertext(s)
		if err == nil && len(ct) < 28 {
			t.Errorf("parseCiphertext(%q) = %d bytes, want >= 28",
				s, len(ct))
		}
	})
}
