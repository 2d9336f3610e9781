package api

import (
	"time"

	"github.com/infermargin/infermargin/crypto/wire"
	"github.com/infermargin/infermargin/methodology"
)

// EnrollmentRequest is the body of POST /v1/enrollments: a company asks
// to take part. It is signed with the key it registers, which proves
// the sender holds that key.
type EnrollmentRequest struct {
	Company   string              `json:"company"`
	Key       string              `json:"key"` // public keyset, base64
	Answers   methodology.Answers `json:"answers"`
	Signature string              `json:"signature"` // base64
}

// SignedBytes is what the company signs, as sign.KindEnrollment: the
// company, the key and each answer, length-prefixed.
func (r *EnrollmentRequest) SignedBytes() []byte {
	var b wire.Builder
	b.AddString(r.Company)
	b.AddString(r.Key)
	b.AddString(r.Answers.UseCase)
	b.AddString(r.Answers.ARRBand)
	b.AddString(r.Answers.TeamSize)
	return b.Bytes()
}

// Enrollment is an enrollment as a node holds it: the answer of POST
// /v1/enrollments and GET /v1/enrollments/{company}, and an entry of
// GET /v1/admin/enrollments.
type Enrollment struct {
	Company     string              `json:"company"`
	KeyID       string              `json:"key_id"`
	Answers     methodology.Answers `json:"answers"`
	State       string              `json:"state"`
	SubmittedAt time.Time           `json:"submitted_at"`
	DecidedAt   *time.Time          `json:"decided_at,omitempty"`
	DecidedBy   string              `json:"decided_by,omitempty"`
	Reason      string              `json:"reason,omitempty"`
}

// Enrollments is the body of GET /v1/admin/enrollments.
type Enrollments struct {
	Enrollments []Enrollment `json:"enrollments"`
}

// Decision is the body of POST /v1/admin/enrollments/{approve,reject},
// of POST /v1/admin/reassignments/{id}/{approve,reject} and of POST
// /v1/admin/accounts/{name}/disable: what is decided and why. Companies
// is for enrollments only.
type Decision struct {
	Companies []string `json:"companies,omitempty"`
	Reason    string   `json:"reason"`
}

// Decided is the answer to a decision: the cohort versions it made.
type Decided struct {
	Cohorts []Cohort `json:"cohorts"`
}

// Cohort is one cohort version, as operators see it.
type Cohort struct {
	ID       string               `json:"id"`
	Version  int                  `json:"version"`
	Ref      string               `json:"ref"` // "id@version"
	Criteria methodology.Criteria `json:"criteria"`
	Members  []string             `json:"members"`
	Digest   string               `json:"digest"` // hex
}

// Cohorts is the body of GET /v1/admin/cohorts.
type Cohorts struct {
	Cohorts []Cohort `json:"cohorts"`
}

// CohortDefinition is the body of POST /v1/admin/cohorts.
type CohortDefinition struct {
	ID       string               `json:"id"`
	Criteria methodology.Criteria `json:"criteria"`
	Reason   string               `json:"reason"`
}

// ReassignmentRequest is the body of POST /v1/admin/reassignments: a
// company's new primary use case and ARR band, and why. An empty field
// keeps the company's current answer.
type ReassignmentRequest struct {
	Company   string `json:"company"`
	UseCase   string `json:"use_case"`
	ARRBand   string `json:"arr_band"`
	Rationale string `json:"rationale"`
}

// Reassignment is a reassignment request as a node holds it.
type Reassignment struct {
	ID          int64               `json:"id"`
	Company     string              `json:"company"`
	To          methodology.Answers `json:"to"`
	Rationale   string              `json:"rationale"`
	RequestedBy string              `json:"requested_by"`
	RequestedAt time.Time           `json:"requested_at"`
	State       string              `json:"state"`
	DecidedBy   string              `json:"decided_by,omitempty"`
	DecidedAt   *time.Time          `json:"decided_at,omitempty"`
}

// Reassignments is the body of GET /v1/admin/reassignments.
type Reassignments struct {
	Reassignments []Reassignment `json:"reassignments"`
}

// AccountRequest is the body of POST /v1/admin/accounts.
type AccountRequest struct {
	Name   string   `json:"name"`
	Roles  []string `json:"roles"`
	Reason string   `json:"reason"`
}

// Account is an operator account. Token is set only in the answer that
// creates it: the node keeps its hash, never the token. DisabledAt is
// nil while the account is active.
type Account struct {
	Name       string     `json:"name"`
	Roles      []string   `json:"roles"`
	CreatedAt  time.Time  `json:"created_at"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
	Token      string     `json:"token,omitempty"`
}

// Accounts is the body of GET /v1/admin/accounts.
type Accounts struct {
	Accounts []Account `json:"accounts"`
}

// AuditEntry is one line of the audit table.
type AuditEntry struct {
	Seq    int64     `json:"seq"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Reason string    `json:"reason,omitempty"`
}

// Audit is the body of GET /v1/admin/audit.
type Audit struct {
	Entries []AuditEntry `json:"entries"`
}

// OpenRequest is the body of POST /v1/admin/batches on the leader and
// of PUT /v1/internal/batches on the helper. The leader fills
// CohortDigest with its digest of the batch's cohort version; the
// helper opens only if its own is the same.
type OpenRequest struct {
	Batch        Batch  `json:"batch"`
	CohortDigest string `json:"cohort_digest,omitempty"` // hex
	Reason       string `json:"reason,omitempty"`
}
