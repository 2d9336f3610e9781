package sqlite

import "github.com/infermargin/infermargin/server/store/internal/sqlstore"

const batchKey = `cohort = ?1 AND period = ?2 AND methodology = ?3`

const publicationCols = `id, cohort, period, methodology, tier,
	published_at, body`

// dialect is the store's SQL; package sqlstore runs it. SQLite has no
// arrays: a statement on a list of ids runs once per id. It takes no
// row locks either, nor needs any: a transaction holds the database's
// write lock from its start (the DSN's _txlock=immediate) to its end,
// so the dialect's Lock statements are empty.
var dialect = sqlstore.Dialect{
	Arrays: false,

	OpenBatch: `INSERT INTO batches
		(cohort, period, methodology, opened_at) VALUES (?1, ?2, ?3, ?4)
		ON CONFLICT DO NOTHING`,
	Batch: `SELECT closed, opened_at, closed_at
		FROM batches WHERE ` + batchKey,
	CloseBatch: `UPDATE batches SET closed = 1, closed_at = ?4
		WHERE ` + batchKey + ` AND closed = 0`,

	BatchClosed: `SELECT closed FROM batches WHERE ` + batchKey,
	InsertReportID: `INSERT INTO report_ids (id) VALUES (?1)
		ON CONFLICT DO NOTHING`,
	UpsertReport: `INSERT INTO reports (cohort, period,
		methodology, company, id, body, received_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
		ON CONFLICT (cohort, period, methodology, company) DO UPDATE
		SET id = excluded.id, body = excluded.body,
			received_at = excluded.received_at,
			claimed_by = NULL, decided_by = NULL`,
	Report: `SELECT body, received_at, decided_by
		FROM reports WHERE id = ?1`,
	Undecided: `SELECT count(*) FROM reports
		WHERE ` + batchKey + ` AND decided_by IS NULL`,

	Unclaimed: `SELECT id FROM reports
		WHERE ` + batchKey + ` AND claimed_by IS NULL AND decided_by IS NULL
		ORDER BY id LIMIT ?4`,
	InsertJob: `INSERT INTO jobs (cohort, period, methodology,
		id, report_list, holder, lease_until)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING`,
	ClaimReports: `UPDATE reports SET claimed_by = ?1 WHERE id = ?2`,
	PendingJobs: `SELECT id, report_list FROM jobs
		WHERE ` + batchKey + ` AND committed = 0
			AND (holder = ?4 OR lease_until <= ?5)
		ORDER BY seq`,
	LeaseJobs: `UPDATE jobs SET holder = ?1, lease_until = ?2
		WHERE id = ?3`,
	InsertResult: `INSERT INTO job_results
		(cohort, period, methodology, job, body)
		VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING`,
	Decide: `UPDATE reports SET decided_by = ?4
		WHERE ` + batchKey + ` AND id = ?5 AND decided_by IS NULL
		RETURNING id`,
	CommitJob: `UPDATE jobs SET committed = 1 WHERE id = ?1`,
	JobResult: `SELECT body FROM job_results WHERE job = ?1`,
	Results: `SELECT body FROM job_results
		WHERE ` + batchKey + ` ORDER BY seq`,

	ReportCompanies: `SELECT id, company FROM reports WHERE ` + batchKey,
	Releases: `SELECT cohort, period, methodology, tier, companies, at
		FROM releases WHERE period = ?1 AND methodology = ?2 ORDER BY seq`,
	PutRelease: `INSERT INTO releases
		(cohort, period, methodology, tier, companies, at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6)
		ON CONFLICT (cohort, period, methodology, tier) DO UPDATE
		SET companies = excluded.companies, at = excluded.at`,

	InsertCompany: `INSERT INTO companies
		(id, public_key, enrolled_at) VALUES (?1, ?2, ?3)
		ON CONFLICT DO NOTHING`,
	Company: `SELECT public_key, enrolled_at
		FROM companies WHERE id = ?1`,
	PutReceipt: `INSERT INTO receipts (cohort, period,
		methodology, report, company, role, unix_time, report_hash, key_id,
		signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
		ON CONFLICT (report) DO UPDATE SET cohort = excluded.cohort,
			period = excluded.period, methodology = excluded.methodology,
			role = excluded.role, unix_time = excluded.unix_time,
			report_hash = excluded.report_hash, key_id = excluded.key_id,
			signature = excluded.signature
		WHERE receipts.company = excluded.company`,
	Receipt: `SELECT cohort, period, methodology,
		company, role, unix_time, report_hash, key_id, signature
		FROM receipts WHERE report = ?1 AND company = ?2`,
	InsertPublication: `INSERT INTO publications
		(cohort, period, methodology, id, tier, published_at, body)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING`,
	Publication: `SELECT ` + publicationCols + `
		FROM publications WHERE id = ?1`,
	Publications: `SELECT ` + publicationCols + `
		FROM publications ORDER BY published_at, seq`,

	Governance: governance,
}
