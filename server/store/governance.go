package store

import (
	"context"
	"errors"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
)

// Errors of the governance records.
var (
	ErrEnrollmentExists  = errors.New("enrolled with another key or answers")
	ErrUnknownEnrollment = errors.New("no enrollment for that company")
	ErrNotPending        = errors.New("already decided")
	ErrCohortExists      = errors.New("cohort already defined")
	ErrUnknownAccount    = errors.New("no such operator account")
	ErrAccountExists     = errors.New("operator account already exists")
	ErrAccountDisabled   = errors.New("operator account is disabled")
	ErrUnknownReassign   = errors.New("no such reassignment request")
	ErrNoChange          = errors.New("reassignment changes nothing")
	ErrNotApproved       = errors.New("company is not approved")
)

// State is where an enrollment or a reassignment request stands.
type State string

// The states of a request: it waits for an operator's decision, which
// is final.
const (
	Pending  State = "pending"
	Approved State = "approved"
	Rejected State = "rejected"
)

// Enrollment is a company's request to take part, as one node holds it:
// its report-signing public key and its questionnaire answers, pending
// until this node's operator decides.
type Enrollment struct {
	Company     string
	Key         []byte // sign.Verifier's binary encoding
	Answers     methodology.Answers
	State       State
	SubmittedAt time.Time
	// DecidedAt, DecidedBy and Reason are zero while pending.
	DecidedAt time.Time
	DecidedBy string
	Reason    string
}

// Assignment is one version of a company's cohort assignment: the
// answers cohorts are matched against. Version 1 comes from the
// questionnaire when the enrollment is approved; each approved
// reassignment makes the next.
type Assignment struct {
	Company string
	Version int
	Answers methodology.Answers
	At      time.Time
	// Reassignment is the approved request that made this version; 0
	// for version 1.
	Reassignment int64
}

// Reassignment is a request to change a company's primary use case or
// ARR band, and so the cohorts it is a member of. It takes effect only
// once an account with the founder role approves it.
type Reassignment struct {
	ID          int64
	Company     string
	To          methodology.Answers
	Rationale   string
	RequestedBy string
	RequestedAt time.Time
	State       State
	// DecidedBy and DecidedAt are zero while pending.
	DecidedBy string
	DecidedAt time.Time
}

// Account is an operator account. Only the SHA-256 of its bearer token
// is kept.
type Account struct {
	Name      string
	TokenHash [32]byte
	Roles     []string
	CreatedAt time.Time
	// DisabledAt is when the account was disabled, for good; zero while
	// it is active.
	DisabledAt time.Time
}

// AuditEntry is one line of the append-only audit table: who did what,
// to what, when and why.
type AuditEntry struct {
	Seq    int64 // assigned by the store
	At     time.Time
	Actor  string // the account name
	Action string // like "enrollment.approve"
	Target string // like the company id or batch
	Reason string // the actor's words; may be empty
}

// Access is one read of a private-tier report by a member company.
type Access struct {
	Company     string
	Publication string
	At          time.Time
}

// Governance is the record of who takes part and who decided what:
// enrollments, cohort definitions and their versions, reassignments,
// operator accounts, the audit table and the private-tier access log.
//
// Every method that changes a record also appends its audit entry, in
// the same transaction: a change is never without its entry. An entry
// without an actor or an action is refused, and the change with it. Methods
// on company-scoped records (enrollments, receipts, the access log) run
// scoped to one company or to the operator; in PostgreSQL, row-level
// security makes a company-scoped transaction see that company's rows
// only, whatever its query says.
type Governance interface {
	// SubmitEnrollment records a pending enrollment. Submitting the
	// same key and answers again changes nothing; anything else for a
	// company already enrolled fails with ErrEnrollmentExists.
	SubmitEnrollment(ctx context.Context, e *Enrollment) error
	// Enrollment returns a company's enrollment, scoped to that
	// company, or ErrUnknownEnrollment.
	Enrollment(ctx context.Context, company string) (*Enrollment, error)
	// Enrollments lists the enrollments in state st, or all when st is
	// empty, oldest first, scoped to the operator.
	Enrollments(ctx context.Context, st State) ([]*Enrollment, error)
	// DecideEnrollments approves or rejects pending enrollments, all or
	// none: an unknown company fails with ErrUnknownEnrollment and a
	// decided one with ErrNotPending. Approval makes each company
	// approved (Company finds it), records its assignment version 1
	// from its answers and makes a new version of every cohort whose
	// members change. It returns those new versions. a is appended
	// once per company, with the company as target.
	DecideEnrollments(ctx context.Context, companies []string,
		approve bool, a *AuditEntry) ([]*aggregation.CohortVersion, error)

	// DefineCohort defines a cohort and makes its version 1 from the
	// approved companies that match c. A defined id fails with
	// ErrCohortExists. Criteria never change; define another cohort.
	DefineCohort(ctx context.Context, id string, c methodology.Criteria,
		a *AuditEntry) (*aggregation.CohortVersion, error)
	// Cohort returns a cohort version, the latest when version is 0,
	// or an error wrapping aggregation.ErrUnknownCohort.
	Cohort(ctx context.Context, id string, version int) (
		*aggregation.CohortVersion, error)
	// Cohorts returns the latest version of every cohort, by id.
	Cohorts(ctx context.Context) ([]*aggregation.CohortVersion, error)
	// Assignment returns a company's current assignment, or
	// ErrNotApproved.
	Assignment(ctx context.Context, company string) (*Assignment, error)

	// RequestReassignment records a pending request and returns its
	// id. The company must be approved (ErrNotApproved) and the request
	// must change its answers (ErrNoChange).
	RequestReassignment(ctx context.Context, r *Reassignment,
		a *AuditEntry) (int64, error)
	// Reassignment returns a request, or ErrUnknownReassign.
	Reassignment(ctx context.Context, id int64) (*Reassignment, error)
	// Reassignments lists the requests in state st, or all when st is
	// empty, oldest first.
	Reassignments(ctx context.Context, st State) ([]*Reassignment, error)
	// DecideReassignment approves or rejects a pending request
	// (ErrNotPending otherwise). Approval records the company's next
	// assignment version with the request's answers and makes a new
	// version of every cohort whose members change, which it returns.
	DecideReassignment(ctx context.Context, id int64, approve bool,
		a *AuditEntry) ([]*aggregation.CohortVersion, error)

	// PutAccount creates an operator account, or fails with
	// ErrAccountExists if the name or the token hash is taken. The new
	// account is active, whatever acct.DisabledAt says.
	PutAccount(ctx context.Context, acct *Account, a *AuditEntry) error
	// AccountByToken returns the account whose token hashes to h. It
	// fails with ErrUnknownAccount if there is none and with
	// ErrAccountDisabled if the account is disabled.
	AccountByToken(ctx context.Context, h [32]byte) (*Account, error)
	// Accounts lists every account by name, disabled ones included.
	Accounts(ctx context.Context) ([]*Account, error)
	// DisableAccount disables an account for good, at a.At: its token
	// is refused from then on, and its name and token hash stay taken.
	// An unknown name fails with ErrUnknownAccount and a disabled
	// account with ErrAccountDisabled. a is appended with the name as
	// target.
	DisableAccount(ctx context.Context, name string, a *AuditEntry) error

	// AppendAudit appends an entry for an action that has no record of
	// its own, like opening a batch.
	AppendAudit(ctx context.Context, a *AuditEntry) error
	// Audit returns up to limit entries with Seq above after, in order.
	Audit(ctx context.Context, after int64, limit int) ([]*AuditEntry,
		error)

	// LogAccess records a member company's read of a private report,
	// scoped to that company.
	LogAccess(ctx context.Context, a *Access) error
	// Accesses returns a company's reads, oldest first, scoped to that
	// company.
	Accesses(ctx context.Context, company string) ([]*Access, error)
}
