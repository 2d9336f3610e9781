package sqlstore

// Dialect is a store's SQL: one statement a field. Each field's doc
// names the statement's arguments and, for a query, its columns, in
// order. "batch" stands for three arguments, the batch's cohort, period
// and methodology; "ids" for a list of 16-byte ids, passed as Arrays
// says.
type Dialect struct {
	// Arrays says how a statement on ids takes them: if true, all in one
	// array argument (PostgreSQL's id = ANY ($n)); if false, the
	// statement runs once per id, with the id as the argument.
	Arrays bool

	// OpenBatch inserts a batch, or nothing if it exists.
	// Args: batch, opened at.
	OpenBatch string
	// Batch selects a batch. Args: batch. Columns: closed, opened at,
	// closed at (NULL while open).
	Batch string
	// CloseBatch closes a batch, unless closed. Args: batch, closed at.
	CloseBatch string

	// BatchClosed selects whether a batch is closed, for an upload, and
	// keeps it as it is until the transaction ends. Args: batch.
	// Columns: closed.
	BatchClosed string
	// InsertReportID records a report id, or nothing if it was ever
	// recorded. Args: id.
	InsertReportID string
	// UpsertReport stores a report as its company's current one in its
	// batch, replacing the earlier one in place, which no job then holds
	// or decided. Args: batch, company, id, body, received at.
	UpsertReport string
	// Report selects a current report. Args: id. Columns: body,
	// received at, the job that decided it (NULL if none).
	Report string
	// Undecided counts the reports of a batch no job decided.
	// Args: batch.
	Undecided string

	// Unclaimed selects up to n reports of a batch that no job holds or
	// decided, in id order. Args: batch, n. Columns: id.
	Unclaimed string
	// InsertJob records a job, or nothing if its id exists. Args: batch,
	// id, report list (record.JoinIDs), holder, lease until.
	InsertJob string
	// ClaimReports marks reports held by a job. Args: job, ids.
	ClaimReports string
	// PendingJobs selects the uncommitted jobs of a batch that a holder
	// holds or whose lease ended by a time, oldest first. Args: batch,
	// holder, now. Columns: id, report list.
	PendingJobs string
	// LeaseJobs leases jobs to a holder. Args: holder, until, ids.
	LeaseJobs string
	// InsertResult records a job's result, or nothing if the job has
	// one. Args: batch, job, body (record.MarshalResult).
	InsertResult string
	// Decide marks as decided by a job those of the reports named that
	// are of a batch and undecided. Args: batch, job, ids. Columns: id,
	// of each report it marked.
	Decide string
	// CommitJob marks a job committed. Args: job.
	CommitJob string
	// JobResult selects a job's result. Args: job. Columns: body.
	JobResult string
	// Results selects the job results of a batch in commit order.
	// Args: batch. Columns: body.
	Results string

	// ReportCompanies selects the current reports of a batch.
	// Args: batch. Columns: id, company.
	ReportCompanies string
	// LockReleases, run first in a transaction that records a release,
	// waits for any other such transaction to end, so that each checks
	// the releases the one before recorded. Empty if a transaction
	// holds the database alone anyway.
	LockReleases string
	// Releases selects the releases of a period and methodology, in the
	// order first recorded. Args: period, methodology. Columns: cohort,
	// period, methodology, tier, companies (record.JoinNames), at.
	Releases string
	// PutRelease records a release, replacing in place the one of the
	// same batch and tier. Args: batch, tier, companies, at.
	PutRelease string

	// InsertCompany records an approved company, or nothing if it is
	// recorded. Args: id, public key, enrolled at.
	InsertCompany string
	// Company selects a company. Args: id. Columns: public key,
	// enrolled at.
	Company string
	// PutReceipt records the receipt for a report, replacing an
	// earlier one of the same company and changing no row if another
	// company's holds the report. Args: batch, report, company, role,
	// unix time, report hash, key id, signature.
	PutReceipt string
	// Receipt selects a company's receipt for a report. Args: report,
	// company. Columns: cohort, period, methodology, company, role,
	// unix time, report hash, key id, signature.
	Receipt string
	// InsertPublication records a publication, or nothing if its id
	// exists. Args: batch, id, tier, published at, body.
	InsertPublication string
	// Publication selects a publication. Args: id. Columns: id, cohort,
	// period, methodology, tier, published at, body.
	Publication string
	// Publications selects every publication, by time published, then
	// in the order they were recorded. Columns: those of Publication.
	Publications string

	Governance
}

// Governance is the SQL of the governance records, in the same terms
// as Dialect. "answers" stands for three arguments or columns, use
// case, ARR band and team size; "state" is "pending", "approved" or
// "rejected".
type Governance struct {
	// SetScope, run first in a scoped transaction, sets whose rows of
	// the company-scoped tables it may see. Args: company ("" for
	// none), operator ("on" or ""). Empty if the database has no
	// row-level security.
	SetScope string
	// LockCohorts, run first in a transaction that may change cohort
	// membership, waits for any other such transaction to end, so that
	// each builds on the versions the one before wrote. Empty if a
	// transaction holds the database alone anyway.
	LockCohorts string
	// LockAudit, run before an audit entry is inserted, holds off the
	// other writers of the audit log until the transaction ends, so
	// that entries are numbered in the order they commit and a reader
	// paging by number misses none. Empty as LockCohorts.
	LockAudit string

	// InsertEnrollment records a pending enrollment, or nothing if the
	// company has one. Args: company, public key, answers, submitted
	// at.
	InsertEnrollment string
	// Enrollment selects a company's enrollment. Args: company.
	// Columns: company, public key, answers, state, submitted at,
	// decided at (NULL while pending), decided by, reason.
	Enrollment string
	// Enrollments selects the enrollments in a state, or all if it is
	// "", oldest first. Args: state. Columns: those of Enrollment.
	Enrollments string
	// DecideEnrollment decides a pending enrollment, changing no row
	// if there is none. Args: company, state, decided at, decided by,
	// reason. Columns: public key, answers.
	DecideEnrollment string

	// InsertAssignment records an assignment version. Args: company,
	// version, answers, at, reassignment id (0 for none).
	InsertAssignment string
	// Assignment selects a company's latest assignment. Args: company.
	// Columns: version, answers, at, reassignment id.
	Assignment string
	// CurrentAnswers selects each approved company's latest answers.
	// Columns: company, answers.
	CurrentAnswers string

	// InsertCohort defines a cohort, or nothing if its id is defined.
	// Args: id, use case, ARR band ("" for any), created at.
	InsertCohort string
	// CohortVersion selects a version of a cohort, the latest if the
	// version asked is 0. Args: id, version. Columns: use case, ARR
	// band, version.
	CohortVersion string
	// LatestCohorts selects the latest version of every cohort, by id.
	// Columns: id, use case, ARR band, version.
	LatestCohorts string
	// CohortMembers selects the members of a cohort version, sorted
	// bytewise. Args: id, version. Columns: company.
	CohortMembers string
	// InsertCohortVersion records a version. Args: id, version, created
	// at.
	InsertCohortVersion string
	// InsertCohortMember records a member of a version. Args: id,
	// version, company.
	InsertCohortMember string

	// InsertReassignment records a pending request. Args: company,
	// answers, rationale, requested by, requested at. Columns: its id.
	InsertReassignment string
	// Reassignment selects a request. Args: id. Columns: id, company,
	// answers, rationale, requested by, requested at, state, decided
	// by, decided at (NULL while pending).
	Reassignment string
	// Reassignments selects the requests in a state, or all if it is
	// "", oldest first. Args: state. Columns: those of Reassignment.
	Reassignments string
	// DecideReassignment decides a pending request, changing no row if
	// it is not one. Args: id, state, decided by, decided at. Columns:
	// company, answers.
	DecideReassignment string

	// InsertAccount records an account, or nothing if its name or
	// token hash is taken. Args: name, token hash, roles
	// (record.JoinNames), created at.
	InsertAccount string
	// AccountByToken selects the account of a token hash. Args: token
	// hash. Columns: name, token hash, roles, created at, disabled at
	// (NULL while active).
	AccountByToken string
	// Accounts selects every account, sorted by name bytewise.
	// Columns: those of AccountByToken.
	Accounts string
	// Account selects the account of a name. Args: name. Columns: those
	// of AccountByToken.
	Account string
	// DisableAccount disables an active account, changing no row if
	// there is none of that name or it is disabled. Args: name,
	// disabled at.
	DisableAccount string

	// InsertAudit appends an audit entry. Args: at, actor, action,
	// target, reason.
	InsertAudit string
	// Audit selects up to n entries numbered above after, in order.
	// Args: after, n. Columns: seq, at, actor, action, target, reason.
	Audit string

	// InsertAccess records a read of a private report. Args: company,
	// publication, at.
	InsertAccess string
	// Accesses selects a company's reads, in the order recorded. Args:
	// company. Columns: company, publication, at.
	Accesses string
}
