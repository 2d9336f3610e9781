package postgres

import "github.com/infermargin/infermargin/server/store/internal/sqlstore"

const enrollmentCols = `company, public_key, use_case, arr_band,
	team_size, state, submitted_at, decided_at, decided_by, reason`

const reassignmentCols = `id, company, use_case, arr_band, team_size,
	rationale, requested_by, requested_at, state, decided_by, decided_at`

const accountCols = `name, token_hash, roles, created_at, disabled_at`

// governance is the SQL of the governance records. Text that is sorted
// for people or compared with Go's sorting is ordered COLLATE "C",
// bytewise, whatever the database's collation.
var governance = sqlstore.Governance{
	// Row-level security reads these two settings; true makes them
	// last until the transaction ends.
	SetScope: `SELECT set_config('infermargin.company', $1, true),
		set_config('infermargin.operator', $2, true)`,
	LockCohorts: `SELECT pg_advisory_xact_lock(` + lockSpace + `, 1)`,
	LockAudit:   `SELECT pg_advisory_xact_lock(` + lockSpace + `, 3)`,

	InsertEnrollment: `INSERT INTO enrollments (company, public_key,
		use_case, arr_band, team_size, submitted_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
	Enrollment: `SELECT ` + enrollmentCols + `
		FROM enrollments WHERE company = $1`,
	Enrollments: `SELECT ` + enrollmentCols + `
		FROM enrollments WHERE $1 = '' OR state = $1
		ORDER BY submitted_at, company COLLATE "C"`,
	DecideEnrollment: `UPDATE enrollments
		SET state = $2, decided_at = $3, decided_by = $4, reason = $5
		WHERE company = $1 AND state = 'pending'
		RETURNING public_key, use_case, arr_band, team_size`,

	InsertAssignment: `INSERT INTO assignments (company, version,
		use_case, arr_band, team_size, at, reassignment)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
	Assignment: `SELECT version, use_case, arr_band, team_size, at,
		reassignment FROM assignments WHERE company = $1
		ORDER BY version DESC LIMIT 1`,
	CurrentAnswers: `SELECT DISTINCT ON (company)
		company, use_case, arr_band, team_size
		FROM assignments ORDER BY company, version DESC`,

	InsertCohort: `INSERT INTO cohorts (id, use_case, arr_band,
		created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
	CohortVersion: `SELECT c.use_case, c.arr_band, v.version
		FROM cohorts c JOIN cohort_versions v ON v.cohort = c.id
		WHERE c.id = $1 AND ($2 = 0 OR v.version = $2)
		ORDER BY v.version DESC LIMIT 1`,
	LatestCohorts: `SELECT DISTINCT ON (c.id COLLATE "C")
		c.id, c.use_case, c.arr_band, v.version
		FROM cohorts c JOIN cohort_versions v ON v.cohort = c.id
		ORDER BY c.id COLLATE "C", v.version DESC`,
	CohortMembers: `SELECT company FROM cohort_members
		WHERE cohort = $1 AND version = $2 ORDER BY company COLLATE "C"`,
	InsertCohortVersion: `INSERT INTO cohort_versions (cohort, version,
		created_at) VALUES ($1, $2, $3)`,
	InsertCohortMember: `INSERT INTO cohort_members (cohort, version,
		company) VALUES ($1, $2, $3)`,

	InsertReassignment: `INSERT INTO reassignments (company, use_case,
		arr_band, team_size, rationale, requested_by, requested_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
	Reassignment: `SELECT ` + reassignmentCols + `
		FROM reassignments WHERE id = $1`,
	Reassignments: `SELECT ` + reassignmentCols + `
		FROM reassignments WHERE $1 = '' OR state = $1 ORDER BY id`,
	DecideReassignment: `UPDATE reassignments
		SET state = $2, decided_by = $3, decided_at = $4
		WHERE id = $1 AND state = 'pending'
		RETURNING company, use_case, arr_band, team_size`,

	InsertAccount: `INSERT INTO accounts
		(name, token_hash, roles, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
	AccountByToken: `SELECT ` + accountCols + `
		FROM accounts WHERE token_hash = $1`,
	Accounts: `SELECT ` + accountCols + `
		FROM accounts ORDER BY name COLLATE "C"`,
	Account: `SELECT ` + accountCols + `
		FROM accounts WHERE name = $1`,
	DisableAccount: `UPDATE accounts SET disabled_at = $2
		WHERE name = $1 AND disabled_at IS NULL`,

	InsertAudit: `INSERT INTO audit_log (at, actor, action, target, reason)
		VALUES ($1, $2, $3, $4, $5)`,
	Audit: `SELECT seq, at, actor, action, target, reason
		FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,

	InsertAccess: `INSERT INTO private_access (company, publication, at)
		VALUES ($1, $2, $3)`,
	Accesses: `SELECT company, publication, at FROM private_access
		WHERE company = $1 ORDER BY seq`,
}
