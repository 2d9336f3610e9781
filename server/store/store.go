// Package store is where an aggregator node keeps its state: batches,
// reports, jobs and their results (the aggregation.Store part), the
// governance records (enrollments, cohorts and their versions,
// reassignments, operator accounts, the audit table, the private-tier
// access log), the receipts it signed and, on the leader, the reports
// it published.
//
// Two implementations live below it: postgres, for production and for
// several replicas of one node sharing a database, and sqlite, embedded
// and pure Go, the default for the demo and a small single node. Both
// pass the conformance suite in storetest. A store holds one node's
// state only: the leader and the helper never share a database.
//
// The store keeps what it is given. It checks no signature and decrypts
// nothing; package aggregation does that before anything reaches it.
//
// In PostgreSQL the company-scoped tables (enrollments, receipts, the
// access log) have row-level security: each method that touches them
// runs in a transaction scoped to one company, or to the operator, and
// a company-scoped transaction sees that company's rows only, whatever
// its query says. The SQLite store, for the demo and a small single
// node, has no row-level security.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/infermargin/infermargin/aggregation"
)

// Errors of the node-level records. The aggregation part answers with
// aggregation's own errors.
var (
	ErrPublished      = errors.New("report already published")
	ErrUnknownReport  = errors.New("no published report with that id")
	ErrReceiptMissing = errors.New("no receipt for that report")
)

// Company is an approved company: its id and the public key its reports
// are signed with, in sign.Verifier's binary encoding.
type Company struct {
	ID         string
	Key        []byte
	EnrolledAt time.Time
}

// Publication is a published report as the public reads it: an id, the
// batch and tier it releases, when, and its JSON body exactly as served.
type Publication struct {
	ID          string
	Batch       aggregation.BatchID
	Tier        aggregation.Tier
	PublishedAt time.Time
	Body        []byte
}

// Store is one node's state. Every method is atomic.
type Store interface {
	aggregation.Store
	Governance

	// Company returns an approved company, or an error wrapping
	// aggregation.ErrUnknownCompany. Only an approved enrollment
	// (Governance.DecideEnrollments) makes a company.
	Company(ctx context.Context, id string) (*Company, error)

	// PutReceipt records a receipt this node signed, replacing an
	// earlier one for the same report (an identical retry gets a
	// fresh receipt), scoped to the receipt's company.
	PutReceipt(ctx context.Context, r *aggregation.Receipt) error
	// Receipt returns the latest receipt for a report, scoped to
	// company: another company's receipt is ErrReceiptMissing too.
	Receipt(ctx context.Context, company string,
		id aggregation.ReportID) (*aggregation.Receipt, error)

	// PutPublication records a published report. Publication is
	// final: an id already published fails with ErrPublished.
	PutPublication(ctx context.Context, p *Publication) error
	// Publication returns a published report, or ErrUnknownReport.
	Publication(ctx context.Context, id string) (*Publication, error)
	// Publications lists every published report, oldest first.
	Publications(ctx context.Context) ([]*Publication, error)

	// Ping checks that the store answers, for readiness probes.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}
