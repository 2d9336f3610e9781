// Package vaultsim is a Vault-compatible HTTP server for tests. No
// Vault server can be installed where our tests run, so the tests drive
// the real github.com/hashicorp/vault/api client against this server,
// and against a real Vault whenever one is configured (see
// testenv.Vault).
//
// It serves only the endpoints InferMargin calls, written from Vault's
// HTTP API documentation: the /v1/ prefix, the X-Vault-Token header,
// the response envelope, the {"errors": [...]} body and the status
// codes Vault answers with. The routes are:
//
//	GET                auth/token/lookup-self
//	POST               auth/approle/login
//	POST, DELETE       auth/approle/role/:name
//	GET                auth/approle/role/:name/role-id
//	POST               auth/approle/role/:name/secret-id
//	GET, POST          :kv-mount/data/:path      (KV version 2)
//	DELETE             :kv-mount/metadata/:path
//	GET, POST, DELETE  transit/keys/:name
//	POST               transit/keys/:name/config
//	POST               transit/encrypt/:name
//	POST               transit/decrypt/:name
//
// PUT is accepted wherever POST is, as Vault does.
//
// It is deliberately not a Vault: state lives in memory, there is no
// seal, no lease and no policy engine. Every valid token may do
// everything, so tests of access control run against a real Vault.
// Transit keys are aes256-gcm96 only, with real AES-256-GCM under a
// random key and no rotation. A request for a feature left out (a
// Transit context, a batch) is refused with 400 rather than half done.
package vaultsim

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// maxBody bounds a request body; ours are a few kilobytes.
const maxBody = 1 << 20

// Server is a running simulator. Its methods are safe for concurrent
// use.
type Server struct {
	ts   *httptest.Server
	root string

	mu      sync.Mutex
	tokens  map[string]*token
	kv      map[string]map[string]*kvEntry // mount, path
	roles   map[string]*role
	transit map[string]*transitKey
}

// New starts a server with a root token and a KV version 2 engine
// mounted at secret/, as `vault server -dev` has. Close stops it.
func New() *Server {
	s := &Server{
		tokens:  map[string]*token{},
		kv:      map[string]map[string]*kvEntry{"secret": {}},
		roles:   map[string]*role{},
		transit: map[string]*transitKey{},
	}
	s.root = s.issue(rootToken())
	s.ts = httptest.NewServer(s)
	return s
}

// URL returns the server's address, a VAULT_ADDR.
func (s *Server) URL() string { return s.ts.URL }

// RootToken returns the token that the server was started with.
func (s *Server) RootToken() string { return s.root }

// Close stops the server; later requests fail to connect, as they do
// when Vault is down.
func (s *Server) Close() { s.ts.Close() }

// MountKV mounts a KV version 2 engine at path, like
// `vault secrets enable -path=PATH kv-v2`. Mount paths are one
// segment here.
func (s *Server) MountKV(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.kv[path]; !ok {
		s.kv[path] = map[string]*kvEntry{}
	}
}

// ServeHTTP answers one Vault API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := strings.CutPrefix(r.URL.Path, "/v1/")
	if !ok {
		writeError(w, errNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)

	s.mu.Lock()
	defer s.mu.Unlock()
	if p == "auth/approle/login" {
		s.respond(w, r, s.appRoleLogin, "POST")
		return
	}
	tok, ok := s.authenticate(r)
	if !ok {
		writeError(w, errDenied)
		return
	}
	h, methods := s.route(p, tok)
	if h == nil {
		writeError(w, noHandler(p))
		return
	}
	s.respond(w, r, h, methods)
}

// handler serves one route; it returns the response's data, or nil
// for 204 No Content.
type handler func(r *http.Request) (*envelope, error)

// route finds the handler for path p and the methods it takes.
func (s *Server) route(p string, tok *token) (handler, string) {
	seg := strings.Split(p, "/")
	switch {
	case p == "auth/token/lookup-self":
		return func(*http.Request) (*envelope, error) {
			return s.lookupSelf(tok), nil
		}, "GET"
	case seg[0] == "auth" && len(seg) > 1 && seg[1] == "approle":
		return s.routeAppRole(seg[2:])
	case seg[0] == "transit":
		return s.routeTransit(seg[1:])
	}
	return s.routeKV(seg)
}

// respond runs h if r's method is among methods, and writes what it
// returns.
func (s *Server) respond(
	w http.ResponseWriter, r *http.Request, h handler, methods string,
) {
	m := r.Method
	if m == http.MethodPut {
		m = http.MethodPost
	}
	if !strings.Contains(methods, m) {
		writeError(w, &apiError{http.StatusMethodNotAllowed,
			[]string{"unsupported operation"}})
		return
	}

	env, err := h(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if env == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	env.RequestID = newUUID()
	writeJSON(w, http.StatusOK, env)
}

// envelope is the body of every successful Vault response.
type envelope struct {
	RequestID     string   `json:"request_id"`
	LeaseID       string   `json:"lease_id"`
	Renewable     bool     `json:"renewable"`
	LeaseDuration int      `json:"lease_duration"`
	Data          any      `json:"data"`
	WrapInfo      any      `json:"wrap_info"`
	Warnings      []string `json:"warnings"`
	Auth          any      `json:"auth"`
	MountType     string   `json:"mount_type"`
}

// apiError is an answer of Vault's error form: a status and the body
// {"errors": [...]}.
type apiError struct {
	status int
	msgs   []string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s", e.status, strings.Join(e.msgs, "; "))
}

var (
	// errNotFound is how Vault answers a read of nothing: 404 with an
	// empty error list.
	errNotFound = &apiError{http.StatusNotFound, []string{}}
	// errDenied is Vault's answer to a missing or unknown token.
	errDenied = &apiError{http.StatusForbidden,
		[]string{"permission denied"}}
)

func badRequest(format string, a ...any) error {
	return &apiError{http.StatusBadRequest,
		[]string{fmt.Sprintf(format, a...)}}
}

func noHandler(p string) error {
	return &apiError{http.StatusNotFound, []string{fmt.Sprintf(
		"no handler for route %q. route entry not found.", p)}}
}

func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{http.StatusInternalServerError,
			[]string{err.Error()}}
	}
	writeJSON(w, ae.status, map[string][]string{"errors": ae.msgs})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads r's JSON body into v. An empty body is an empty object,
// as Vault treats it.
func decode(r *http.Request, v any) error {
	err := json.NewDecoder(r.Body).Decode(v)
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil, errors.Is(err, io.EOF):
		return nil
	case errors.As(err, &tooLarge):
		return &apiError{http.StatusRequestEntityTooLarge,
			[]string{"http: request body too large"}}
	}
	return badRequest("failed to parse JSON input: %v", err)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[:4], b[4:6], b[6:8], b[8:10],
		b[10:])
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }
