package vaultsim

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// defaultTTL is Vault's default maximum lease, 768h, which a token of
// a role without token_ttl gets.
const defaultTTL = 768 * time.Hour

// token is a service token. A zero ttl never expires, as a root
// token does not.
type token struct {
	id, accessor string
	policies     []string
	display      string
	path         string
	meta         map[string]string
	issued       time.Time
	ttl          time.Duration
}

func rootToken() *token {
	return &token{policies: []string{"root"}, display: "root",
		path: "auth/token/root"}
}

// issue stores t under a new id, shaped as Vault's service tokens
// are ("hvs." and base62), and returns the id.
func (s *Server) issue(t *token) string {
	t.id = "hvs." + base62(24)
	t.accessor = base62(24)
	t.issued = time.Now()
	s.tokens[t.id] = t
	return t.id
}

func (t *token) remaining() time.Duration {
	if t.ttl == 0 {
		return 0
	}
	return max(t.ttl-time.Since(t.issued), 0)
}

// authenticate finds the token r carries in X-Vault-Token, or in an
// Authorization: Bearer header, which Vault also accepts.
func (s *Server) authenticate(r *http.Request) (*token, bool) {
	id := r.Header.Get("X-Vault-Token")
	if id == "" {
		id, _ = strings.CutPrefix(r.Header.Get("Authorization"),
			"Bearer ")
	}
	t, ok := s.tokens[id]
	if !ok {
		return nil, false
	}
	if t.ttl > 0 && t.remaining() == 0 {
		delete(s.tokens, id)
		return nil, false
	}
	return t, true
}

// lookupSelf answers GET auth/token/lookup-self with the fields the
// documentation lists.
func (s *Server) lookupSelf(t *token) *envelope {
	d := map[string]any{
		"accessor":         t.accessor,
		"creation_time":    t.issued.Unix(),
		"creation_ttl":     int(t.ttl.Seconds()),
		"display_name":     t.display,
		"entity_id":        "",
		"expire_time":      nil,
		"explicit_max_ttl": 0,
		"id":               t.id,
		"meta":             t.meta,
		"num_uses":         0,
		"orphan":           true,
		"path":             t.path,
		"policies":         t.policies,
		"renewable":        t.ttl > 0,
		"ttl":              int(t.remaining().Seconds()),
		"type":             "service",
	}
	if t.ttl > 0 {
		d["issue_time"] = t.issued.UTC().Format(time.RFC3339Nano)
		d["expire_time"] = t.issued.Add(t.ttl).UTC().
			Format(time.RFC3339Nano)
	}
	return &envelope{Data: d, MountType: "token"}
}

// role is an AppRole role; secretIDs maps each secret id to its
// accessor.
type role struct {
	name      string
	roleID    string
	policies  []string
	ttl       time.Duration
	secretIDs map[string]string
}

// routeAppRole routes the paths under auth/approle/ but login.
func (s *Server) routeAppRole(seg []string) (handler, string) {
	if len(seg) < 2 || seg[0] != "role" || seg[1] == "" {
		return nil, ""
	}
	name := seg[1]
	switch {
	case len(seg) == 2:
		return func(r *http.Request) (*envelope, error) {
			if r.Method == http.MethodDelete {
				delete(s.roles, name)
				return nil, nil
			}
			return nil, s.writeRole(r, name)
		}, "POST DELETE"
	case len(seg) == 3 && seg[2] == "role-id":
		return func(*http.Request) (*envelope, error) {
			return s.roleID(name)
		}, "GET"
	case len(seg) == 3 && seg[2] == "secret-id":
		return func(*http.Request) (*envelope, error) {
			return s.secretID(name)
		}, "POST"
	}
	return nil, ""
}

// roleBody is the part of a role's parameters the server keeps.
// token_policies and token_ttl take either of the forms Vault takes:
// a list or a comma-separated string, seconds or a duration string.
type roleBody struct {
	TokenPolicies json.RawMessage `json:"token_policies"`
	TokenTTL      json.RawMessage `json:"token_ttl"`
}

func (s *Server) writeRole(r *http.Request, name string) error {
	var b roleBody
	if err := decode(r, &b); err != nil {
		return err
	}
	pol, err := stringList(b.TokenPolicies)
	if err != nil {
		return badRequest("error converting input for field "+
			"\"token_policies\": %v", err)
	}
	ttl, err := duration(b.TokenTTL)
	if err != nil {
		return badRequest("error converting input for field "+
			"\"token_ttl\": %v", err)
	}

	ro, ok := s.roles[name]
	if !ok {
		ro = &role{name: name, roleID: newUUID(),
			secretIDs: map[string]string{}}
		s.roles[name] = ro
	}
	ro.policies, ro.ttl = pol, ttl
	return nil
}

func (s *Server) roleID(name string) (*envelope, error) {
	ro, ok := s.roles[name]
	if !ok {
		return nil, errNotFound
	}
	return &envelope{Data: map[string]any{"role_id": ro.roleID},
		MountType: "approle"}, nil
}

func (s *Server) secretID(name string) (*envelope, error) {
	ro, ok := s.roles[name]
	if !ok {
		return nil, badRequest("role %q does not exist", name)
	}
	id, acc := newUUID(), newUUID()
	ro.secretIDs[id] = acc
	return &envelope{Data: map[string]any{
		"secret_id":          id,
		"secret_id_accessor": acc,
		"secret_id_ttl":      0,
		"secret_id_num_uses": 0,
	}, MountType: "approle"}, nil
}

// appRoleLogin answers POST auth/approle/login, the one request that
// needs no token. Vault answers a wrong pair with 400, not 403.
func (s *Server) appRoleLogin(r *http.Request) (*envelope, error) {
	var b struct {
		RoleID   string `json:"role_id"`
		SecretID string `json:"secret_id"`
	}
	if err := decode(r, &b); err != nil {
		return nil, err
	}
	if b.RoleID == "" {
		return nil, badRequest("missing role_id")
	}
	if b.SecretID == "" {
		return nil, badRequest("missing secret_id")
	}
	ro := s.roleByID(b.RoleID)
	if ro == nil || ro.secretIDs[b.SecretID] == "" {
		return nil, badRequest("invalid role or secret ID")
	}

	return &envelope{Auth: s.loginAuth(ro), MountType: "approle"}, nil
}

func (s *Server) roleByID(id string) *role {
	for _, ro := range s.roles {
		if ro.roleID == id {
			return ro
		}
	}
	return nil
}

// loginAuth issues a token for ro and returns the response's auth
// block.
func (s *Server) loginAuth(ro *role) map[string]any {
	ttl := ro.ttl
	if ttl == 0 {
		ttl = defaultTTL
	}
	meta := map[string]string{"role_name": ro.name}
	pol := append([]string{"default"}, ro.policies...)
	slices.Sort(pol)
	pol = slices.Compact(pol)
	t := &token{policies: pol, display: "approle",
		path: "auth/approle/login", meta: meta, ttl: ttl}
	id := s.issue(t)
	return map[string]any{
		"client_token":    id,
		"accessor":        t.accessor,
		"policies":        pol,
		"token_policies":  pol,
		"metadata":        meta,
		"lease_duration":  int(ttl.Seconds()),
		"renewable":       true,
		"entity_id":       newUUID(),
		"token_type":      "service",
		"orphan":          true,
		"mfa_requirement": nil,
		"num_uses":        0,
	}
}

// stringList parses a list of strings given as a JSON array or as one
// comma-separated string.
func stringList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var l []string
	if err := json.Unmarshal(raw, &l); err == nil {
		return l, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			l = append(l, p)
		}
	}
	return l, nil
}

// duration parses a TTL given as seconds (a number or a numeric
// string) or as a Go duration string such as "1h".
func duration(raw json.RawMessage) (time.Duration, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, err
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(s)
}

func base62(n int) string {
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" +
		"abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}
