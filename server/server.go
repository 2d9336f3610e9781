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
	"context"
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
	Peer HelperNode
	// Publisher turns collections into published reports; the leader
	// hosts it, and it is nil on the helper.
	Publisher *aggregation.Publisher
	// PeerToken is the hash of the bearer token the leader presents to
	// the helper. Zero on the leader, which serves no internal calls.
	PeerToken TokenHash
	// AdminToken is the hash of the bootstrap account's bearer token:
	// the account named BootstrapAccount, with the operator role. Zero
	// means no bootstrap account; operator accounts in the store work
	// either way.
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

// HelperNode is the helper as the leader reaches it: the protocol's
// peer, and the one who opens each batch on the helper's side.
type HelperNode interface {
	aggregation.Peer
	// OpenBatch asks the helper to open batch b if its version of the
	// batch's cohort has the given digest.
	OpenBatch(ctx context.Context, b aggregation.BatchID,
		digest [32]byte) error
}

// Server is one aggregator node.
type Server struct {
	cfg  Config
	role aggregation.Role
	e    *echo.Echo
	m    *metrics
	dir  *Directory
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
	s := &Server{cfg: cfg, role: role, m: newMetrics(cfg.Registry),
		dir: NewDirectory(cfg.Store)}
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
	e.POST("/v1/enrollments", s.submitEnrollment)
	e.GET("/v1/enrollments/:company", s.getEnrollment)
	if s.role == aggregation.Leader {
		e.GET("/v1/reports", s.listReports)
		e.GET("/v1/reports/:id", s.getReport)
		// Private-tier results, for the members of each cohort, who
		// sign their requests.
		e.GET("/v1/private/reports", s.listPrivate)
		e.GET("/v1/private/reports/:id", s.getPrivate)
	}

	in := e.Group("/v1/internal", s.requirePeer)
	in.PUT("/jobs/:job", s.aggregateJob)
	in.POST("/shares", s.aggregateShare)
	in.PUT("/batches", s.openHelperBatch)

	// Each admin route names the roles that may call it. Deciding a
	// reassignment is a founder's; reading is for every account.
	op := s.requireRole(RoleOperator)
	fo := s.requireRole(RoleFounder)
	all := s.requireRole(Roles...)
	ad := e.Group("/v1/admin")
	ad.GET("/enrollments", s.listEnrollments, op)
	ad.POST("/enrollments/approve", s.decideEnrollments(true), op)
	ad.POST("/enrollments/reject", s.decideEnrollments(false), op)
	ad.GET("/cohorts", s.listCohorts, all)
	ad.GET("/cohorts/:id", s.getCohort, all)
	ad.POST("/cohorts", s.defineCohort, op)
	ad.GET("/reassignments", s.listReassignments, all)
	ad.POST("/reassignments", s.requestReassignment, op)
	ad.POST("/reassignments/:id/approve", s.decideReassignment(true), fo)
	ad.POST("/reassignments/:id/reject", s.decideReassignment(false), fo)
	ad.GET("/accounts", s.listAccounts, all)
	ad.POST("/accounts", s.createAccount,
		s.requireRole(RoleOperator, RoleFounder))
	ad.POST("/accounts/:name/disable", s.disableAccount, all)
	ad.GET("/audit", s.listAudit, all)
	ad.POST("/batches/:batch/close", s.closeBatch, op)
	if s.role == aggregation.Leader {
		// The leader opens batches on both nodes, drives jobs and
		// hosts the publisher; on the helper these routes do not
		// exist, so a call is a 404.
		ad.POST("/batches", s.openBatch, op)
		ad.POST("/batches/:batch/aggregate", s.aggregate, op)
		ad.POST("/batches/:batch/collect", s.collect, op)
		ad.POST("/batches/:batch/publish", s.publish, op)
	}
	return e
}
