// Package server is an aggregator node's HTTP face, built on Echo: the
// upload endpoint companies send reports to, the internal endpoints the
// leader drives the helper through, the operator's admin endpoints, and
// on the leader, which hosts the publisher, the public read API.
//
// It translates and guards; the protocol itself is package aggregation
// and state is package store. A request it refuses changes nothing
// stored. It logs one access line per request with log/slog and never
// logs a share, a key, a token or a metric value.
package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/store"
)

// Body limits. An upload is a few kilobytes; a job of the largest size
// carries a few kilobytes of prep shares per report.
const (
	MaxUploadBody   = 256 << 10
	MaxInternalBody = 64 << 20
	MaxAdminBody    = 64 << 10
)

// TokenHash is the SHA-256 of a bearer token. A node keeps only the hash
// of the tokens it accepts, so its configuration and memory never hold
// a token that would let someone else call it.
type TokenHash [32]byte

// HashToken returns the hash of a bearer token.
func HashToken(token string) TokenHash { return sha256.Sum256([]byte(token)) }

// matches compares in constant time, so the time taken tells nothing
// about how much of a guess was right.
func (h TokenHash) matches(token string) bool {
	got := HashToken(token)
	return subtle.ConstantTimeCompare(got[:], h[:]) == 1
}

// Config is what a node needs. Fields are required unless their comment
// says otherwise.
type Config struct {
	Aggregator  *aggregation.Aggregator
	Store       store.Store
	Methodology *methodology.Methodology
	// Peer is the helper, as the leader reaches it; nil on the helper.
	Peer aggregation.Peer
	// Publisher turns collections into published reports; the leader
	// hosts it, and it is nil on the helper.
	Publisher *aggregation.Publisher
	// PeerToken is the hash of the bearer token the leader presents to
	// the helper. Zero on the leader, which serves no internal calls.
	PeerToken TokenHash
	// AdminToken is the hash of the operator's bearer token for the
	// admin endpoints.
	AdminToken TokenHash
	// JobSize is how many reports the leader puts in one job; zero
	// means 100.
	JobSize int
	Logger  *slog.Logger
	// Registry collects the node's Prometheus metrics; nil means a new
	// registry of its own.
	Registry *prometheus.Registry
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Server is one aggregator node.
type Server struct {
	cfg  Config
	role aggregation.Role
	e    *echo.Echo
	m    *metrics
}

// New checks cfg and builds the node's routes.
func New(cfg Config) (*Server, error) {
	if cfg.Aggregator == nil || cfg.Store == nil ||
		cfg.Methodology == nil || cfg.Logger == nil {
		return nil, errors.New("new server: missing configuration")
	}
	role := cfg.Aggregator.Role()
	if role == aggregation.Leader && (cfg.Peer == nil ||
		cfg.Publisher == nil) {
		return nil, errors.New("new server: the leader needs its peer " +
			"and the publisher")
	}
	if cfg.JobSize <= 0 {
		cfg.JobSize = 100
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, role: role, m: newMetrics(cfg.Registry)}
	s.e = s.routes()
	return s, nil
}

// ServeHTTP serves the node's API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.e.ServeHTTP(w, r)
}

// routes is every route of the node, in one place.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Use(s.accessLog, s.recover)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsHandler())
	e.GET("/v1/methodology/:version", s.getMethodology)
	e.GET("/v1/openapi.json", s.getOpenAPI)
	e.POST("/v1/uploads", s.upload)
	if s.role == aggregation.Leader {
		e.GET("/v1/reports", s.listReports)
		e.GET("/v1/reports/:id", s.getReport)
	}

	in := e.Group("/v1/internal", s.requirePeer)
	in.PUT("/jobs/:job", s.aggregateJob)
	in.POST("/shares", s.aggregateShare)

	ad := e.Group("/v1/admin", s.requireAdmin)
	ad.PUT("/companies/:id", s.enroll)
	ad.POST("/batches", s.openBatch)
	ad.POST("/batches/:batch/close", s.closeBatch)
	if s.role == aggregation.Leader {
		// The leader drives jobs and hosts the publisher; on the
		// helper these routes do not exist, so a call is a 404.
		ad.POST("/batches/:batch/aggregate", s.aggregate)
		ad.POST("/batches/:batch/collect", s.collect)
		ad.POST("/batches/:batch/publish", s.publish)
	}
	return e
}
