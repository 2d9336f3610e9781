-- Governance: who takes part (enrollments, companies), the cohorts
-- they form (assignments, cohort versions, reassignments), who decided
-- what (accounts, audit_log), what was released (releases) and who read
-- the private tier (private_access). Times are microseconds since the
-- Unix epoch, UTC.
--
-- SQLite has no row-level security: the store's queries name the
-- company they are scoped to. See the postgres migration for the
-- policies.

-- Before this version a company was enrolled directly, without
-- questionnaire or operator approval. Now only an approved enrollment
-- makes a company, so such companies must enroll again.
DELETE FROM companies;

CREATE TABLE accounts (
	name       TEXT    PRIMARY KEY,
	token_hash BLOB    NOT NULL UNIQUE, -- SHA-256 of the token
	roles      TEXT    NOT NULL,        -- JSON array of role names
	created_at INTEGER NOT NULL
) STRICT;

-- Append-only: the triggers below refuse UPDATE and DELETE, so a bug
-- or a stray statement cannot rewrite history. AUTOINCREMENT: a seq is
-- never handed out twice.
CREATE TABLE audit_log (
	seq    INTEGER PRIMARY KEY AUTOINCREMENT,
	at     INTEGER NOT NULL,
	actor  TEXT    NOT NULL,
	action TEXT    NOT NULL,
	target TEXT    NOT NULL,
	reason TEXT    NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
END;

CREATE TABLE enrollments (
	company      TEXT    PRIMARY KEY CHECK (company <> ''),
	public_key   BLOB    NOT NULL,
	use_case     TEXT    NOT NULL,
	arr_band     TEXT    NOT NULL,
	team_size    TEXT    NOT NULL,
	state        TEXT    NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'approved', 'rejected')),
	submitted_at INTEGER NOT NULL,
	decided_at   INTEGER,
	decided_by   TEXT    NOT NULL DEFAULT '',
	reason       TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX enrollments_state ON enrollments (state, submitted_at);

-- Each version of an approved company's answers, as cohorts match
-- them. reassignment is the approved request that made the version, 0
-- for version 1.
CREATE TABLE assignments (
	company      TEXT    NOT NULL REFERENCES companies (id),
	version      INTEGER NOT NULL CHECK (version > 0),
	use_case     TEXT    NOT NULL,
	arr_band     TEXT    NOT NULL,
	team_size    TEXT    NOT NULL,
	at           INTEGER NOT NULL,
	reassignment INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (company, version)
) STRICT;

-- A cohort's criteria, fixed once defined. arr_band '' matches any.
CREATE TABLE cohorts (
	id         TEXT    PRIMARY KEY,
	use_case   TEXT    NOT NULL,
	arr_band   TEXT    NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

-- Versions of a cohort and their members, never changed once written.
CREATE TABLE cohort_versions (
	cohort     TEXT    NOT NULL REFERENCES cohorts (id),
	version    INTEGER NOT NULL CHECK (version > 0),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (cohort, version)
) STRICT;

CREATE TABLE cohort_members (
	cohort  TEXT    NOT NULL,
	version INTEGER NOT NULL,
	company TEXT    NOT NULL REFERENCES companies (id),
	PRIMARY KEY (cohort, version, company),
	FOREIGN KEY (cohort, version) REFERENCES cohort_versions
) STRICT;

CREATE TABLE reassignments (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	company      TEXT    NOT NULL REFERENCES companies (id),
	use_case     TEXT    NOT NULL,
	arr_band     TEXT    NOT NULL,
	team_size    TEXT    NOT NULL,
	rationale    TEXT    NOT NULL,
	requested_by TEXT    NOT NULL,
	requested_at INTEGER NOT NULL,
	state        TEXT    NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'approved', 'rejected')),
	decided_by   TEXT    NOT NULL DEFAULT '',
	decided_at   INTEGER
) STRICT;

-- What the differencing guard reads back: each batch and tier released
-- and its contributing companies (a sorted JSON array). seq is the
-- order first recorded; recording again keeps it.
CREATE TABLE releases (
	seq         INTEGER PRIMARY KEY,
	cohort      TEXT    NOT NULL,
	period      TEXT    NOT NULL,
	methodology TEXT    NOT NULL,
	tier        INTEGER NOT NULL,
	companies   TEXT    NOT NULL,
	at          INTEGER NOT NULL,
	UNIQUE (cohort, period, methodology, tier)
) STRICT;

CREATE INDEX releases_period ON releases (period, methodology, seq);

-- Each read of a private-tier report by a member company.
CREATE TABLE private_access (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	company     TEXT    NOT NULL CHECK (company <> ''),
	publication TEXT    NOT NULL,
	at          INTEGER NOT NULL
) STRICT;

CREATE INDEX private_access_company ON private_access (company, seq);
