package server

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
)

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the store answers, so a load balancer
// sends no upload to a node that cannot keep it.
func (s *Server) readyz(c echo.Context) error {
	if err := s.cfg.Store.Ping(c.Request().Context()); err != nil {
		s.cfg.Logger.Warn("store_not_ready", "error", err.Error())
		return c.JSON(http.StatusServiceUnavailable,
			api.Error{Error: api.ErrorDetail{Code: "not_ready",
				Message: "the store does not answer"}})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready",
		"role": s.role.String()})
}

// methodologyBody is GET /v1/methodology/{version}: the definition as
// published and its digest.
type methodologyBody struct {
	Version    string          `json:"version"`
	Digest     string          `json:"digest"`
	Definition json.RawMessage `json:"definition"`
}

func (s *Server) getMethodology(c echo.Context) error {
	m, err := methodology.Load(c.Param("version"))
	if err != nil {
		return refuse(codeNotFound, "methodology %q: %v",
			clip(c.Param("version")), err)
	}
	return c.JSON(http.StatusOK, methodologyBody{Version: m.Version,
		Digest: m.Digest(), Definition: m.Canonical()})
}

func (s *Server) upload(c echo.Context) error {
	var u api.Upload
	if err := decode(c, MaxUploadBody, &u); err != nil {
		s.m.uploads.WithLabelValues(codeOf(err)).Inc()
		return err
	}
	rc, err := s.store(c, &u)
	if err != nil {
		s.m.uploads.WithLabelValues(codeOf(err)).Inc()
		return err
	}
	s.m.uploads.WithLabelValues("ok").Inc()
	return c.JSON(http.StatusCreated, api.FromReceipt(rc))
}

// store checks and keeps an upload and records the receipt it gets.
func (s *Server) store(c echo.Context, u *api.Upload) (
	*aggregation.Receipt, error) {
	r, err := u.Report()
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	rc, err := s.cfg.Aggregator.Upload(ctx, r)
	if err != nil {
		return nil, err
	}
	return rc, s.cfg.Store.PutReceipt(ctx, rc)
}

func (s *Server) listReports(c echo.Context) error {
	ps, err := s.cfg.Store.Publications(c.Request().Context())
	if err != nil {
		return err
	}
	out := api.Reports{Reports: []api.Summary{}}
	for _, p := range ps {
		if p.Tier != aggregation.Public {
			continue
		}
		var r api.Report
		if err := json.Unmarshal(p.Body, &r); err != nil {
			return err
		}
		out.Reports = append(out.Reports, r.Summary())
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getReport(c echo.Context) error {
	p, err := s.cfg.Store.Publication(c.Request().Context(), c.Param("id"))
	if err != nil || p.Tier != aggregation.Public {
		return refuse(codeNotFound, "no published report %q",
			clip(c.Param("id")))
	}
	return c.JSONBlob(http.StatusOK, p.Body)
}

// clip shortens a caller's input quoted in an error.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
