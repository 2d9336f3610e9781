package server

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/store"
)

// maxReason bounds a reason or rationale, which the audit table keeps.
const maxReason = 2000

func (s *Server) listEnrollments(c echo.Context) error {
	st, err := parseState(c.QueryParam("state"))
	if err != nil {
		return err
	}
	es, err := s.cfg.Store.Enrollments(ctx(c), st)
	if err != nil {
		return err
	}
	out := api.Enrollments{Enrollments: []api.Enrollment{}}
	for _, e := range es {
		out.Enrollments = append(out.Enrollments, fromEnrollment(e))
	}
	return c.JSON(http.StatusOK, out)
}

// decideEnrollments approves or rejects pending enrollments, all of
// them or none. A rejection must say why.
func (s *Server) decideEnrollments(approve bool) echo.HandlerFunc {
	action := "enrollment.reject"
	if approve {
		action = "enrollment.approve"
	}
	return func(c echo.Context) error {
		var req api.Decision
		if err := decode(c, MaxAdminBody, &req); err != nil {
			return err
		}
		if err := checkDecision(&req, approve); err != nil {
			return err
		}

		cs, err := s.cfg.Store.DecideEnrollments(ctx(c), req.Companies,
			approve, s.entry(c, action, "", req.Reason))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, fromDecided(cs))
	}
}

func checkDecision(d *api.Decision, approve bool) error {
	if len(d.Companies) == 0 {
		return refuse("malformed", "companies: name at least one")
	}
	for _, id := range d.Companies {
		if err := aggregation.CheckCompany(id); err != nil {
			return err
		}
	}
	if !approve && strings.TrimSpace(d.Reason) == "" {
		return refuse("reason_required", "reason: a rejection must say "+
			"why; the company and the audit table read it")
	}
	return checkReason("reason", d.Reason)
}

func checkReason(field, r string) error {
	if len(r) > maxReason {
		return refuse("malformed", "%s: over %d bytes", field, maxReason)
	}
	return nil
}

func (s *Server) listCohorts(c echo.Context) error {
	cs, err := s.cfg.Store.Cohorts(ctx(c))
	if err != nil {
		return err
	}
	out := api.Cohorts{Cohorts: []api.Cohort{}}
	for _, co := range cs {
		out.Cohorts = append(out.Cohorts, fromCohort(co))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getCohort(c echo.Context) error {
	id := c.Param("id")
	if err := aggregation.CheckCohortID(id); err != nil {
		return err
	}
	version := 0
	if v := c.QueryParam("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return refuse("malformed", "version %q: want a positive "+
				"integer", clip(v))
		}
		version = n
	}
	co, err := s.cfg.Store.Cohort(ctx(c), id, version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, fromCohort(co))
}

func (s *Server) defineCohort(c echo.Context) error {
	var req api.CohortDefinition
	if err := decode(c, MaxAdminBody, &req); err != nil {
		return err
	}
	if err := aggregation.CheckCohortID(req.ID); err != nil {
		return err
	}
	if err := s.cfg.Methodology.CheckCriteria(req.Criteria); err != nil {
		return refuse("malformed", "criteria: %v", err)
	}
	if err := checkReason("reason", req.Reason); err != nil {
		return err
	}

	co, err := s.cfg.Store.DefineCohort(ctx(c), req.ID, req.Criteria,
		s.entry(c, "cohort.define", req.ID, req.Reason))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, fromCohort(co))
}

// requestReassignment records a request to change a company's primary
// use case or ARR band. Nothing changes until a founder approves it.
func (s *Server) requestReassignment(c echo.Context) error {
	var req api.ReassignmentRequest
	if err := decode(c, MaxAdminBody, &req); err != nil {
		return err
	}
	if err := aggregation.CheckCompany(req.Company); err != nil {
		return err
	}
	if strings.TrimSpace(req.Rationale) == "" {
		return refuse("rationale_required", "rationale: a reassignment "+
			"needs a written rationale")
	}
	if err := checkReason("rationale", req.Rationale); err != nil {
		return err
	}
	cur, err := s.cfg.Store.Assignment(ctx(c), req.Company)
	if err != nil {
		return err
	}
	to := cur.Answers
	if req.UseCase != "" {
		to.UseCase = req.UseCase
	}
	if req.ARRBand != "" {
		to.ARRBand = req.ARRBand
	}
	if err := s.cfg.Methodology.CheckAnswers(to); err != nil {
		return refuse("malformed", "%v", err)
	}

	r := &store.Reassignment{Company: req.Company, To: to,
		Rationale: req.Rationale, RequestedBy: actor(c).Name,
		RequestedAt: s.cfg.Now().UTC(), State: store.Pending}
	id, err := s.cfg.Store.RequestReassignment(ctx(c), r,
		s.entry(c, "reassignment.request", req.Company, req.Rationale))
	if err != nil {
		return err
	}
	r.ID = id
	return c.JSON(http.StatusCreated, fromReassignment(r))
}

func (s *Server) listReassignments(c echo.Context) error {
	st, err := parseState(c.QueryParam("state"))
	if err != nil {
		return err
	}
	rs, err := s.cfg.Store.Reassignments(ctx(c), st)
	if err != nil {
		return err
	}
	out := api.Reassignments{Reassignments: []api.Reassignment{}}
	for _, r := range rs {
		out.Reassignments = append(out.Reassignments, fromReassignment(r))
	}
	return c.JSON(http.StatusOK, out)
}

// decideReassignment is a founder's decision on a request. Four eyes: a
// founder may not approve a request they made.
func (s *Server) decideReassignment(approve bool) echo.HandlerFunc {
	action := "reassignment.reject"
	if approve {
		action = "reassignment.approve"
	}
	return func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil || id < 1 {
			return refuse("malformed", "reassignment id %q: want a "+
				"positive integer", clip(c.Param("id")))
		}
		var req api.Decision
		if err := decode(c, MaxAdminBody, &req); err != nil {
			return err
		}
		if len(req.Companies) > 0 {
			return refuse("malformed", "companies: a reassignment "+
				"decision names no companies")
		}
		if err := checkReason("reason", req.Reason); err != nil {
			return err
		}
		r, err := s.cfg.Store.Reassignment(ctx(c), id)
		if err != nil {
			return err
		}
		if approve && r.RequestedBy == actor(c).Name {
			return refuse(codeForbidden, "account %q made request %d and "+
				"may not approve it too; another founder must",
				r.RequestedBy, id)
		}

		target := r.Company + "#" + strconv.FormatInt(id, 10)
		cs, err := s.cfg.Store.DecideReassignment(ctx(c), id, approve,
			s.entry(c, action, target, req.Reason))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, fromDecided(cs))
	}
}

// createAccount makes an operator account and answers its token, once.
// Only a founder may grant the founder role: otherwise any operator
// could make themselves the approver of their own reassignments.
func (s *Server) createAccount(c echo.Context) error {
	var req api.AccountRequest
	if err := decode(c, MaxAdminBody, &req); err != nil {
		return err
	}
	if err := CheckAccount(req.Name, req.Roles); err != nil {
		return refuse("malformed", "%v", err)
	}
	if err := checkReason("reason", req.Reason); err != nil {
		return err
	}
	me := actor(c)
	if containsRole(req.Roles, RoleFounder) &&
		!containsRole(me.Roles, RoleFounder) {
		return refuse(codeForbidden, "only a founder may grant the "+
			"founder role")
	}

	token, acct, err := NewAccount(req.Name, req.Roles, s.cfg.Now())
	if err != nil {
		return err
	}
	err = s.cfg.Store.PutAccount(ctx(c), acct,
		s.entry(c, "account.create", acct.Name, req.Reason))
	if err != nil {
		return err
	}
	out := fromAccount(acct)
	out.Token = token
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) listAccounts(c echo.Context) error {
	as, err := s.cfg.Store.Accounts(ctx(c))
	if err != nil {
		return err
	}
	out := api.Accounts{Accounts: []api.Account{}}
	for _, a := range as {
		out.Accounts = append(out.Accounts, fromAccount(a))
	}
	return c.JSON(http.StatusOK, out)
}

// disableAccount revokes an account's token for good. An operator may
// disable any account but a founder's, which only a founder may: else
// an operator could remove the founders who check their requests. Any
// account may disable itself, as when its token leaked.
func (s *Server) disableAccount(c echo.Context) error {
	name := c.Param("name")
	var req api.Decision
	if err := decode(c, MaxAdminBody, &req); err != nil {
		return err
	}
	if err := checkDisable(name, &req); err != nil {
		return err
	}
	acct, err := s.accountNamed(c, name)
	if err != nil {
		return err
	}
	me := actor(c)
	if name != me.Name && !containsRole(me.Roles, RoleOperator) &&
		!containsRole(me.Roles, RoleFounder) {
		return refuse(codeForbidden, "account %q may disable only "+
			"itself", me.Name)
	}
	if containsRole(acct.Roles, RoleFounder) &&
		!containsRole(me.Roles, RoleFounder) {
		return refuse(codeForbidden, "account %q holds the founder role; "+
			"only a founder may disable it", name)
	}

	e := s.entry(c, "account.disable", name, req.Reason)
	if err := s.cfg.Store.DisableAccount(ctx(c), name, e); err != nil {
		return err
	}
	acct.DisabledAt = e.At
	return c.JSON(http.StatusOK, fromAccount(acct))
}

func checkDisable(name string, d *api.Decision) error {
	if name == BootstrapAccount {
		return refuse("bootstrap_account", "account %q is the node "+
			"configuration's admin token, not a stored account: to "+
			"revoke it, change or remove admin_token_sha256 in the "+
			"node's configuration and restart the node", name)
	}
	if err := CheckAccountName(name); err != nil {
		return refuse("malformed", "%v", err)
	}
	if len(d.Companies) > 0 {
		return refuse("malformed", "companies: disabling an account "+
			"names no companies")
	}
	if strings.TrimSpace(d.Reason) == "" {
		return refuse("reason_required", "reason: disabling an account "+
			"must say why, for the audit table")
	}
	return checkReason("reason", d.Reason)
}

// accountNamed returns the stored account of a name, disabled or not,
// or store.ErrUnknownAccount. A node has a handful of accounts, so it
// reads the list rather than ask the store for a lookup by name.
func (s *Server) accountNamed(c echo.Context, name string) (
	*store.Account, error) {
	as, err := s.cfg.Store.Accounts(ctx(c))
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.Name == name {
			return a, nil
		}
	}
	return nil, fmt.Errorf("account %q: %w", name, store.ErrUnknownAccount)
}

func (s *Server) listAudit(c echo.Context) error {
	after, err := queryInt(c, "after", 0)
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 100)
	if err != nil {
		return err
	}
	limit = min(max(limit, 1), 1000)
	es, err := s.cfg.Store.Audit(ctx(c), int64(after), limit)
	if err != nil {
		return err
	}
	out := api.Audit{Entries: []api.AuditEntry{}}
	for _, e := range es {
		out.Entries = append(out.Entries, api.AuditEntry(*e))
	}
	return c.JSON(http.StatusOK, out)
}

func queryInt(c echo.Context, name string, def int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, refuse("malformed", "%s %q: want a whole number", name,
			clip(v))
	}
	return n, nil
}

func parseState(s string) (store.State, error) {
	switch st := store.State(s); st {
	case "", store.Pending, store.Approved, store.Rejected:
		return st, nil
	}
	return "", refuse("malformed", "state %q: want pending, approved or "+
		"rejected", clip(s))
}

func fromCohort(c *aggregation.CohortVersion) api.Cohort {
	d := c.Digest()
	members := c.Members
	if members == nil {
		members = []string{}
	}
	return api.Cohort{ID: c.ID, Version: c.Version, Ref: c.Ref(),
		Criteria: c.Criteria, Members: members,
		Digest: hex.EncodeToString(d[:])}
}

func fromDecided(cs []*aggregation.CohortVersion) api.Decided {
	out := api.Decided{Cohorts: []api.Cohort{}}
	for _, c := range cs {
		out.Cohorts = append(out.Cohorts, fromCohort(c))
	}
	return out
}

func fromReassignment(r *store.Reassignment) api.Reassignment {
	return api.Reassignment{ID: r.ID, Company: r.Company, To: r.To,
		Rationale: r.Rationale, RequestedBy: r.RequestedBy,
		RequestedAt: r.RequestedAt, State: string(r.State),
		DecidedBy: r.DecidedBy, DecidedAt: timeOrNil(r.DecidedAt)}
}

func fromAccount(a *store.Account) api.Account {
	return api.Account{Name: a.Name, Roles: a.Roles, CreatedAt: a.CreatedAt,
		DisabledAt: timeOrNil(a.DisabledAt)}
}
