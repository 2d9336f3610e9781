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

	// InsertCompany enrolls a company, or nothing if it is enrolled.
	// Args: id, public key, enrolled at.
	InsertCompany string
	// Company selects a company. Args: id. Columns: public key,
	// enrolled at.
	Company string
	// PutReceipt records the receipt for a report, replacing any
	// earlier one. Args: batch, report, company, role, unix time,
	// report hash, key id, signature.
	PutReceipt string
	// Receipt selects the receipt for a report. Args: report.
	// Columns: cohort, period, methodology, company, role, unix time,
	// report hash, key id, signature.
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
}
