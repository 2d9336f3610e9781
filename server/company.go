package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/store"
)

// submitEnrollment records a company's request to take part, pending
// until this node's operator approves it. The request is signed with
// the key it registers, so no one can enroll a key they do not hold.
func (s *Server) submitEnrollment(c echo.Context) error {
	var req api.EnrollmentRequest
	if err := decode(c, MaxAdminBody, &req); err != nil {
		return err
	}
	e, err := s.checkEnrollment(&req)
	if err != nil {
		return err
	}

	err = s.cfg.Store.SubmitEnrollment(ctx(c), e)
	if err != nil && !errors.Is(err, store.ErrEnrollmentExists) {
		return err
	}
	if err != nil {
		return refuse("enrollment_exists", "company %q is already "+
			"enrolled on this node with another key or other answers; "+
			"ask its operator", e.Company)
	}
	cur, err := s.cfg.Store.Enrollment(ctx(c), e.Company)
	if err != nil {
		return err
	}
	// A new enrollment carries this request's time, kept to the
	// microsecond as both stores keep it; a resubmission, the first's.
	status := http.StatusOK
	if cur.SubmittedAt.Equal(e.SubmittedAt) {
		status = http.StatusCreated
	}
	return c.JSON(status, fromEnrollment(cur))
}

func (s *Server) checkEnrollment(req *api.EnrollmentRequest) (
	*store.Enrollment, error) {
	if err := aggregation.CheckCompany(req.Company); err != nil {
		return nil, err
	}
	raw, err := api.DecodeKey(req.Key)
	if err != nil {
		return nil, err
	}
	key, err := sign.ParseVerifier(raw)
	if err != nil {
		return nil, refuse("malformed", "key: not a report-signing "+
			"public key: %v", err)
	}
	if err := s.cfg.Methodology.CheckAnswers(req.Answers); err != nil {
		return nil, refuse("malformed", "answers: %v", err)
	}
	sig, err := api.DecodeSignature(req.Signature)
	if err != nil {
		return nil, err
	}
	err = key.Verify(sign.KindEnrollment, req.SignedBytes(), sig)
	if err != nil {
		return nil, refuse("bad_signature", "signature: does not verify "+
			"with the key in the request")
	}
	return &store.Enrollment{Company: req.Company, Key: raw,
		Answers: req.Answers, State: store.Pending,
		SubmittedAt: s.cfg.Now().UTC().Truncate(time.Microsecond)}, nil
}

// getEnrollment tells a company where its enrollment stands. The
// request must be signed with the enrolled key; since an unapproved
// company has no approved key yet, the key is the enrollment's own.
func (s *Server) getEnrollment(c echo.Context) error {
	sr, err := api.ParseSignedRequest(c.Request().Header)
	if err != nil {
		return refuse(codeUnauthorized, "this endpoint needs a request "+
			"signed by the company: %v", err)
	}
	if sr.Company != c.Param("company") {
		return refuse(codeForbidden, "a company reads its own enrollment "+
			"only")
	}
	e, err := s.cfg.Store.Enrollment(ctx(c), sr.Company)
	if errors.Is(err, store.ErrUnknownEnrollment) {
		return refuse(codeUnauthorized, "no enrollment of company %q "+
			"to check the signature with", clip(sr.Company))
	}
	if err != nil {
		return err
	}
	key, err := sign.ParseVerifier(e.Key)
	if err != nil {
		return err
	}
	r := c.Request()
	err = sr.Verify(r.Method, r.URL.RequestURI(), key, s.cfg.Now())
	if err != nil {
		return refuse(codeUnauthorized, "%v", err)
	}
	return c.JSON(http.StatusOK, fromEnrollment(e))
}

// listPrivate lists the private-tier reports a member company may read:
// those of cohort versions it is a member of, of one period if asked.
func (s *Server) listPrivate(c echo.Context) error {
	company, err := s.company(c)
	if err != nil {
		return err
	}
	period := c.QueryParam("period")
	ps, err := s.cfg.Store.Publications(ctx(c))
	if err != nil {
		return err
	}
	out := api.Reports{Reports: []api.Summary{}}
	for _, p := range ps {
		if p.Tier != aggregation.Private ||
			(period != "" && p.Batch.Period != period) {
			continue
		}
		if err := s.checkMember(c, company, p); err != nil {
			if errors.Is(err, aggregation.ErrNotMember) {
				continue
			}
			return err
		}
		var r api.Report
		if err := json.Unmarshal(p.Body, &r); err != nil {
			return err
		}
		out.Reports = append(out.Reports, r.Summary())
	}
	return c.JSON(http.StatusOK, out)
}

// getPrivate serves one private-tier report to a member of its cohort
// version, and notes the read in the company's access log.
func (s *Server) getPrivate(c echo.Context) error {
	company, err := s.company(c)
	if err != nil {
		return err
	}
	p, err := s.cfg.Store.Publication(ctx(c), c.Param("id"))
	if err != nil || p.Tier != aggregation.Private {
		return refuse(codeNotFound, "no private report %q",
			clip(c.Param("id")))
	}
	if err := s.checkMember(c, company, p); err != nil {
		return err
	}

	err = s.cfg.Store.LogAccess(ctx(c), &store.Access{Company: company,
		Publication: p.ID, At: s.cfg.Now().UTC()})
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, p.Body)
}

func (s *Server) checkMember(c echo.Context, company string,
	p *store.Publication) error {
	co, err := s.dir.Cohort(ctx(c), p.Batch.Cohort)
	if err != nil {
		return err
	}
	if !co.Has(company) {
		return fmt.Errorf("company %q is not a member of cohort %s, "+
			"whose private results are for its members only: %w",
			company, co.Ref(), aggregation.ErrNotMember)
	}
	return nil
}

func fromEnrollment(e *store.Enrollment) api.Enrollment {
	out := api.Enrollment{Company: e.Company, Answers: e.Answers,
		State: string(e.State), SubmittedAt: e.SubmittedAt,
		DecidedAt: timeOrNil(e.DecidedAt), DecidedBy: e.DecidedBy,
		Reason: e.Reason}
	if v, err := sign.ParseVerifier(e.Key); err == nil {
		out.KeyID = v.KeyID()
	}
	return out
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
