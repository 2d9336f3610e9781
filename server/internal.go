package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/infermargin/infermargin/server/api"
)

// aggregateJob is the helper's end of a job: PUT, because the leader
// may send the same job again and gets the same answer.
func (s *Server) aggregateJob(c echo.Context) error {
	var req api.JobRequest
	if err := decode(c, MaxInternalBody, &req); err != nil {
		return err
	}
	job, err := req.JobRequest(c.Param("job"))
	if err != nil {
		return err
	}

	resp, err := s.cfg.Aggregator.Aggregate(c.Request().Context(), job)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.FromJobResponse(resp))
}

// aggregateShare is the helper's end of a release.
func (s *Server) aggregateShare(c echo.Context) error {
	var req api.ShareRequest
	if err := decode(c, MaxAdminBody, &req); err != nil {
		return err
	}
	sr, err := req.ShareRequest()
	if err != nil {
		return err
	}

	rel, err := s.cfg.Aggregator.AggregateShare(c.Request().Context(), sr)
	if err != nil {
		return err
	}
	out, err := api.FromRelease(rel)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
