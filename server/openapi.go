package server

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPI is the OpenAPI 3.1 description of every route in routes().
// It is written by hand, so TestOpenAPI holds it to the routes and to
// the api structs' JSON field names.
//
//go:embed openapi.json
var openAPI []byte

// getOpenAPI serves openAPI as it is embedded, so what a client reads
// is what the tests checked.
func (s *Server) getOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPI)
}
