package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/server/api"
)

// EnrollRequest is the body of PUT /v1/admin/companies/{id}: the
// company's report-signing public key, base64.
type EnrollRequest struct {
	Key string `json:"key"`
}

func (s *Server) enroll(c echo.Context) error {
	var req EnrollRequest
	if err := decode(c, MaxAdminBody, &req); err != nil {
		return err
	}
	id := c.Param("id")
	if err := aggregation.CheckCompany(id); err != nil {
		return err
	}
	key, err := api.DecodeKey(req.Key)
	if err != nil {
		return err
	}
	v, err := sign.ParseVerifier(key)
	if err != nil {
		return refuse("malformed", "key: not a report-signing public "+
			"key: %v", err)
	}

	if err := s.Enroll(c.Request().Context(), id, v); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"company": id,
		"key_id": v.KeyID()})
}

// OpenRequest is the body of POST /v1/admin/batches.
type OpenRequest struct {
	Batch api.Batch `json:"batch"`
}

func (s *Server) openBatch(c echo.Context) error {
	var req OpenRequest
	if err := decode(c, MaxAdminBody, &req); err != nil {
		return err
	}
	b, err := req.Batch.ID()
	if err != nil {
		return err
	}

	if err := s.OpenBatch(c.Request().Context(), b); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"batch": api.Ref(b),
		"state": "open"})
}

func (s *Server) closeBatch(c echo.Context) error {
	b, err := api.ParseRef(c.Param("batch"))
	if err != nil {
		return err
	}
	if err := s.CloseBatch(c.Request().Context(), b); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"batch": api.Ref(b),
		"state": "closed"})
}

// JobStats is the answer of POST /v1/admin/batches/{batch}/aggregate.
type JobStats struct {
	Jobs     int `json:"jobs"`
	Accepted int `json:"accepted"`
	Rejected int `json:"rejected"`
}

func (s *Server) aggregate(c echo.Context) error {
	b, err := api.ParseRef(c.Param("batch"))
	if err != nil {
		return err
	}
	st, err := s.Aggregate(c.Request().Context(), b)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, JobStats(st))
}

// collect hands out both releases of a batch, encrypted to the
// publisher, for a publisher or an auditor who holds its key.
func (s *Server) collect(c echo.Context) error {
	b, tier, err := batchAndTier(c)
	if err != nil {
		return err
	}
	col, err := s.Collect(c.Request().Context(), b, tier)
	if err != nil {
		return err
	}
	out, err := api.FromCollection(col)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) publish(c echo.Context) error {
	b, tier, err := batchAndTier(c)
	if err != nil {
		return err
	}
	rep, err := s.Publish(c.Request().Context(), b, tier)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, rep)
}

// batchAndTier reads the batch from the path and the tier from the
// query, public unless it says private.
func batchAndTier(c echo.Context) (aggregation.BatchID, aggregation.Tier,
	error) {
	b, err := api.ParseRef(c.Param("batch"))
	if err != nil {
		return b, 0, err
	}
	tier := aggregation.Public
	if t := c.QueryParam("tier"); t != "" {
		tier, err = api.ParseTier(t)
	}
	return b, tier, err
}
