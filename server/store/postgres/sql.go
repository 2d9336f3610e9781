package postgres

import "github.com/infermargin/infermargin/server/store/internal/sqlstore"

const batchKey = `cohort = $1 AND period = $2 AND methodology = $3`

// lockSpace is the first key of the store's advisory locks; the second
// names the lock. The pair keys cannot meet golang-migrate's lock, a
// single bigint key: PostgreSQL keeps the two key spaces apart.
const lockSpace = `1768843629`

const publicationCols = `id, cohort, period, methodology, tier,
	published_at, body`

// dialect is the store's SQL; package sqlstore runs it. Statements on a
// list of ids take it as one array, = ANY ($n). Transactions that must
// not interleave (recording releases, changing cohort membership,
// appending to the audit log) take advisory locks of lockSpace, which
// need no privilege on any table and end with the transaction.
var dialect = sqlstore.Dialect{
	Arrays: true,

	OpenBatch: `INSERT INTO batches
		(cohort, period, methodology, opened_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`,
	Batch: `SELECT closed, opened_at, closed_at
		FROM batches WHERE ` + batchKey,
	// Closing takes the batch row's lock, so it waits for uploads in
	// flight (they hold it shared) and no upload lands after it.
	CloseBatch: `UPDATE batches SET closed = true, closed_at = $4
		WHERE ` + batchKey + ` AND NOT closed`,

	// A shared lock on the batch row holds the batch open until the
	// upload's transaction ends.
	BatchClosed: `SELECT closed FROM batches WHERE ` + batchKey +
		` FOR SHARE`,
	InsertReportID: `INSERT INTO report_ids (id) VALUES ($1)
		ON CONFLICT DO NOTHING`,
	UpsertReport: `INSERT INTO reports (cohort, period,
		methodology, company, id, body, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (cohort, period, methodology, company) DO UPDATE
		SET id = excluded.id, body = excluded.body,
			received_at = excluded.received_at,
			claimed_by = NULL, decided_by = NULL`,
	Report: `SELECT body, received_at, decided_by
		FROM reports WHERE id = $1`,
	Undecided: `SELECT count(*) FROM reports
		WHERE ` + batchKey + ` AND decided_by IS NULL`,

	// Locks the reports it selects, skipping those another transaction
	// is claiming right now: two replicas never claim one report, and
	// neither waits for the other.
	Unclaimed: `SELECT id FROM reports
		WHERE ` + batchKey + ` AND claimed_by IS NULL AND decided_by IS NULL
		ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED`,
	InsertJob: `INSERT INTO jobs (cohort, period, methodology,
		id, report_list, holder, lease_until)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
	ClaimReports: `UPDATE reports SET claimed_by = $1
		WHERE id = ANY ($2)`,
	// A job another replica is committing or taking over right now is
	// locked: skip it rather than wait, it is being handled.
	PendingJobs: `SELECT id, report_list FROM jobs
		WHERE ` + batchKey + ` AND NOT committed
			AND (holder = $4 OR lease_until <= $5)
		ORDER BY seq FOR UPDATE SKIP LOCKED`,
	LeaseJobs: `UPDATE jobs SET holder = $1, lease_until = $2
		WHERE id = ANY ($3)`,
	InsertResult: `INSERT INTO job_results
		(cohort, period, methodology, job, body)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
	// Row locks make concurrent commits naming one report wait for each
	// other; the later one then finds it decided.
	Decide: `UPDATE reports SET decided_by = $4
		WHERE ` + batchKey + ` AND id = ANY ($5) AND decided_by IS NULL
		RETURNING id`,
	CommitJob: `UPDATE jobs SET committed = true WHERE id = $1`,
	JobResult: `SELECT body FROM job_results WHERE job = $1`,
	Results: `SELECT body FROM job_results
		WHERE ` + batchKey + ` ORDER BY seq`,

	ReportCompanies: `SELECT id, company FROM reports WHERE ` + batchKey,
	LockReleases:    `SELECT pg_advisory_xact_lock(` + lockSpace + `, 2)`,
	Releases: `SELECT cohort, period, methodology, tier, companies, at
		FROM releases WHERE period = $1 AND methodology = $2 ORDER BY seq`,
	PutRelease: `INSERT INTO releases
		(cohort, period, methodology, tier, companies, at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (cohort, period, methodology, tier) DO UPDATE
		SET companies = excluded.companies, at = excluded.at`,

	InsertCompany: `INSERT INTO companies
		(id, public_key, enrolled_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`,
	Company: `SELECT public_key, enrolled_at
		FROM companies WHERE id = $1`,
	PutReceipt: `INSERT INTO receipts (cohort, period,
		methodology, report, company, role, unix_time, report_hash, key_id,
		signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (report) DO UPDATE SET cohort = excluded.cohort,
			period = excluded.period, methodology = excluded.methodology,
			role = excluded.role, unix_time = excluded.unix_time,
			report_hash = excluded.report_hash, key_id = excluded.key_id,
			signature = excluded.signature
		WHERE receipts.company = excluded.company`,
	Receipt: `SELECT cohort, period, methodology,
		company, role, unix_time, report_hash, key_id, signature
		FROM receipts WHERE report = $1 AND company = $2`,
	InsertPublication: `INSERT INTO publications (cohort, period,
		methodology, id, tier, published_at, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
	Publication: `SELECT ` + publicationCols + `
		FROM publications WHERE id = $1`,
	Publications: `SELECT ` + publicationCols + `
		FROM publications ORDER BY published_at, seq`,

	Governance: governance,
}
