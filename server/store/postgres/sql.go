package postgres

import "github.com/infermargin/infermargin/server/store/internal/sqlstore"

const batchKey = `cohort = $1 AND period = $2 AND methodology = $3`

const publicationCols = `id, cohort, period, methodology, tier,
	published_at, body`

// dialect is the store's SQL; package sqlstore runs it. Statements on a
// list of ids take it as one array, = ANY ($n).
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
			company = excluded.company, role = excluded.role,
			unix_time = excluded.unix_time,
			report_hash = excluded.report_hash, key_id = excluded.key_id,
			signature = excluded.signature`,
	Receipt: `SELECT cohort, period, methodology,
		company, role, unix_time, report_hash, key_id, signature
		FROM receipts WHERE report = $1`,
	InsertPublication: `INSERT INTO publications (cohort, period,
		methodology, id, tier, published_at, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
	Publication: `SELECT ` + publicationCols + `
		FROM publications WHERE id = $1`,
	Publications: `SELECT ` + publicationCols + `
		FROM publications ORDER BY published_at, seq`,
}
