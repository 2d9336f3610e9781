package server

import (
	"context"
	"encoding/hex"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/store"
)

// audit appends an entry for an admin action that has no record of its
// own. The action has happened; a failure to note it is the node's
// fault, answered as a 5xx so the operator knows.
func (s *Server) audit(c echo.Context, action, target, reason string) error {
	return s.cfg.Store.AppendAudit(c.Request().Context(),
		s.entry(c, action, target, reason))
}

// entry is the audit entry of an admin action by the request's account.
func (s *Server) entry(c echo.Context, action, target,
	reason string) *store.AuditEntry {
	return &store.AuditEntry{At: s.cfg.Now().UTC(), Actor: actor(c).Name,
		Action: action, Target: target, Reason: clip(reason)}
}

func (s *Server) openBatch(c echo.Context) error {
	var req api.OpenRequest
	if err := decode(c, MaxAdminBody, &req); err != nil {
		return err
	}
	b, err := req.Batch.ID()
	if err != nil {
		return err
	}
	if req.CohortDigest != "" {
		return refuse("malformed", "cohort_digest: only the leader "+
			"sends it, to the helper")
	}

	if err := s.OpenBatch(c.Request().Context(), b); err != nil {
		return err
	}
	if err := s.audit(c, "batch.open", api.Ref(b), req.Reason); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"batch": api.Ref(b),
		"state": "open"})
}

// openHelperBatch is the helper's end of opening a batch: it opens only
// if its own cohort version has the digest the leader sent.
func (s *Server) openHelperBatch(c echo.Context) error {
	var req api.OpenRequest
	if err := decode(c, MaxAdminBody, &req); err != nil {
		return err
	}
	b, err := req.Batch.ID()
	if err != nil {
		return err
	}
	var digest [32]byte
	raw, err := hex.DecodeString(req.CohortDigest)
	if err != nil || len(raw) != len(digest) {
		return refuse("malformed", "cohort_digest: want 64 hex digits")
	}
	copy(digest[:], raw)

	err = s.cfg.Aggregator.OpenBatch(c.Request().Context(), b, digest)
	if err != nil {
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
	if err := s.audit(c, "batch.close", api.Ref(b),
		c.QueryParam("reason")); err != nil {
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
	if err := s.audit(c, "batch.aggregate", api.Ref(b),
		c.QueryParam("reason")); err != nil {
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
	if err := s.audit(c, "batch.collect", tierTarget(b, tier),
		c.QueryParam("reason")); err != nil {
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
	if err := s.audit(c, "batch.publish", tierTarget(b, tier),
		c.QueryParam("reason")); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, rep)
}

func tierTarget(b aggregation.BatchID, t aggregation.Tier) string {
	return api.Ref(b) + " " + t.String()
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

// ctx is the request's context.
func ctx(c echo.Context) context.Context { return c.Request().Context() }
