package server

import (
	"errors"
	"fmt"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/store"
)

// The roles of operator accounts. An operator runs the node; a founder
// approves cohort reassignments; an auditor reads the audit table.
const (
	RoleOperator = "operator"
	RoleFounder  = "founder"
	RoleAuditor  = "auditor"
)

// Roles lists every role an account may hold.
var Roles = []string{RoleOperator, RoleFounder, RoleAuditor}

// BootstrapAccount names the account of the node configuration's admin
// token. It holds the operator role only, so founder accounts are made
// by the node's own command line or by another founder.
const BootstrapAccount = "admin"

// CodeForbidden is the code of an authenticated caller who may not do
// what it asked.
const codeForbidden = "forbidden"

const accountKey = "account"

// requireRole admits a request whose bearer token is an account's that
// holds one of roles, and keeps the account for the handler and the
// audit table.
func (s *Server) requireRole(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			acct, err := s.account(c)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(roles, func(r string) bool {
				return slices.Contains(acct.Roles, r)
			}) {
				return refuse(codeForbidden, "account %q needs one of "+
					"the roles %q for this", acct.Name, roles)
			}
			c.Set(accountKey, acct)
			return next(c)
		}
	}
}

// account finds the account of the request's bearer token. The token
// is only ever hashed, and the bootstrap hash compared in constant time;
// a stored account is looked up by its hash, an index that reveals
// nothing of the token.
func (s *Server) account(c echo.Context) (*store.Account, error) {
	tok := bearer(c)
	if tok == "" {
		return nil, refuse(codeUnauthorized, "this endpoint needs an "+
			"operator account's bearer token")
	}
	h := HashToken(tok)
	if s.cfg.AdminToken != (TokenHash{}) && s.cfg.AdminToken.matches(tok) {
		return &store.Account{Name: BootstrapAccount,
			Roles: []string{RoleOperator}}, nil
	}
	acct, err := s.cfg.Store.AccountByToken(c.Request().Context(), h)
	switch {
	case errors.Is(err, store.ErrUnknownAccount):
		return nil, refuse(codeUnauthorized, "the bearer token is not "+
			"an operator account's")
	case errors.Is(err, store.ErrAccountDisabled):
		return nil, refuse(codeUnauthorized, "the bearer token's "+
			"operator account is disabled; its token is revoked for good")
	}
	return acct, err
}

// actor returns the account a role check admitted.
func actor(c echo.Context) *store.Account {
	a, _ := c.Get(accountKey).(*store.Account)
	if a == nil {
		// Only reached if a route lost its role check: fail closed.
		panic("server: admin handler without an account")
	}
	return a
}

// company authenticates a request signed by a company: the company must
// be approved on this node and the signature, over the method, path,
// query and time, must verify with its key.
func (s *Server) company(c echo.Context) (string, error) {
	sr, err := api.ParseSignedRequest(c.Request().Header)
	if err != nil {
		return "", refuse(codeUnauthorized, "this endpoint needs a "+
			"request signed by a company: %v", err)
	}
	if err := aggregation.CheckCompany(sr.Company); err != nil {
		return "", refuse(codeUnauthorized, "%v", err)
	}
	key, err := s.verifier(c, sr.Company)
	if err != nil {
		return "", err
	}
	r := c.Request()
	err = sr.Verify(r.Method, r.URL.RequestURI(), key, s.cfg.Now())
	if err != nil {
		return "", refuse(codeUnauthorized, "%v", err)
	}
	return sr.Company, nil
}

// verifier returns an approved company's key, or an unauthorized error
// that does not tell a stranger whether the company exists.
func (s *Server) verifier(c echo.Context, company string) (
	*sign.Verifier, error) {
	key, err := s.dir.Verifier(c.Request().Context(), company)
	if errors.Is(err, aggregation.ErrUnknownCompany) {
		return nil, refuse(codeUnauthorized, "company %q is not an "+
			"approved company of this node", company)
	}
	if err != nil {
		return nil, fmt.Errorf("company %q: %w", company, err)
	}
	return key, nil
}
