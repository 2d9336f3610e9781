-- Governance: who takes part (enrollments, companies), the cohorts
-- they form (assignments, cohort versions, reassignments), who decided
-- what (accounts, audit_log), what was released (releases) and who read
-- the private tier (private_access).
--
-- The company-scoped tables (enrollments, receipts, private_access)
-- have row-level security: a transaction sees and writes the rows of
-- the company it set in infermargin.company, or every row if it set
-- infermargin.operator to 'on', and none otherwise. FORCE makes the
-- policies bind the tables' owner too, which is the service's role:
-- it runs these migrations.

-- Before this version a company was enrolled directly, without
-- questionnaire or operator approval. Now only an approved enrollment
-- makes a company, so such companies must enroll again.
DELETE FROM companies;

CREATE TABLE accounts (
	name       text        PRIMARY KEY,
	token_hash bytea       NOT NULL UNIQUE, -- SHA-256 of the token
	roles      text        NOT NULL,        -- JSON array of role names
	created_at timestamptz NOT NULL
);

-- Append-only: the trigger below refuses UPDATE, DELETE and TRUNCATE,
-- so a bug or a stray statement cannot rewrite history. seq follows
-- commit order: writers take the table's lock before they insert.
CREATE TABLE audit_log (
	seq    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at     timestamptz NOT NULL,
	actor  text        NOT NULL,
	action text        NOT NULL,
	target text        NOT NULL,
	reason text        NOT NULL
);

CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
		USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Per statement, so a change matching no row is refused too.
CREATE TRIGGER audit_log_append_only
	BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();

-- A company's request to take part. A company id is never empty: an
-- unscoped transaction's infermargin.company may read as ''.
CREATE TABLE enrollments (
	company      text        PRIMARY KEY CHECK (company <> ''),
	public_key   bytea       NOT NULL,
	use_case     text        NOT NULL,
	arr_band     text        NOT NULL,
	team_size    text        NOT NULL,
	state        text        NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'approved', 'rejected')),
	submitted_at timestamptz NOT NULL,
	decided_at   timestamptz,
	decided_by   text        NOT NULL DEFAULT '',
	reason       text        NOT NULL DEFAULT ''
);

CREATE INDEX enrollments_state ON enrollments (state, submitted_at);

-- Each version of an approved company's answers, as cohorts match
-- them. reassignment is the approved request that made the version, 0
-- for version 1.
CREATE TABLE assignments (
	company      text        NOT NULL REFERENCES companies (id),
	version      integer     NOT NULL CHECK (version > 0),
	use_case     text        NOT NULL,
	arr_band     text        NOT NULL,
	team_size    text        NOT NULL,
	at           timestamptz NOT NULL,
	reassignment bigint      NOT NULL DEFAULT 0,
	PRIMARY KEY (company, version)
);

-- A cohort's criteria, fixed once defined. arr_band '' matches any.
CREATE TABLE cohorts (
	id         text        PRIMARY KEY,
	use_case   text        NOT NULL,
	arr_band   text        NOT NULL,
	created_at timestamptz NOT NULL
);

-- Versions of a cohort and their members, never changed once written.
CREATE TABLE cohort_versions (
	cohort     text        NOT NULL REFERENCES cohorts (id),
	version    integer     NOT NULL CHECK (version > 0),
	created_at timestamptz NOT NULL,
	PRIMARY KEY (cohort, version)
);

CREATE TABLE cohort_members (
	cohort  text    NOT NULL,
	version integer NOT NULL,
	company text    NOT NULL REFERENCES companies (id),
	PRIMARY KEY (cohort, version, company),
	FOREIGN KEY (cohort, version) REFERENCES cohort_versions
);

CREATE TABLE reassignments (
	id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company      text        NOT NULL REFERENCES companies (id),
	use_case     text        NOT NULL,
	arr_band     text        NOT NULL,
	team_size    text        NOT NULL,
	rationale    text        NOT NULL,
	requested_by text        NOT NULL,
	requested_at timestamptz NOT NULL,
	state        text        NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'approved', 'rejected')),
	decided_by   text        NOT NULL DEFAULT '',
	decided_at   timestamptz
);

-- What the differencing guard reads back: each batch and tier released
-- and its contributing companies (a sorted JSON array). seq is the
-- order first recorded; recording again keeps it.
CREATE TABLE releases (
	seq         bigint      GENERATED ALWAYS AS IDENTITY,
	cohort      text        NOT NULL,
	period      text        NOT NULL,
	methodology text        NOT NULL,
	tier        smallint    NOT NULL,
	companies   text        NOT NULL,
	at          timestamptz NOT NULL,
	PRIMARY KEY (cohort, period, methodology, tier)
);

CREATE INDEX releases_period ON releases (period, methodology, seq);

-- Each read of a private-tier report by a member company.
CREATE TABLE private_access (
	seq         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	company     text        NOT NULL CHECK (company <> ''),
	publication text        NOT NULL,
	at          timestamptz NOT NULL
);

CREATE INDEX private_access_company ON private_access (company, seq);

-- NOT VALID: rows written before this version are not checked, new
-- ones are.
ALTER TABLE receipts ADD CONSTRAINT receipts_company_set
	CHECK (company <> '') NOT VALID;

ALTER TABLE enrollments ENABLE ROW LEVEL SECURITY;
ALTER TABLE enrollments FORCE ROW LEVEL SECURITY;
CREATE POLICY company_scope ON enrollments
	USING (company = current_setting('infermargin.company', true)
		OR current_setting('infermargin.operator', true) = 'on')
	WITH CHECK (company = current_setting('infermargin.company', true)
		OR current_setting('infermargin.operator', true) = 'on');

ALTER TABLE receipts ENABLE ROW LEVEL SECURITY;
ALTER TABLE receipts FORCE ROW LEVEL SECURITY;
CREATE POLICY company_scope ON receipts
	USING (company = current_setting('infermargin.company', true)
		OR current_setting('infermargin.operator', true) = 'on')
	WITH CHECK (company = current_setting('infermargin.company', true)
		OR current_setting('infermargin.operator', true) = 'on');

ALTER TABLE private_access ENABLE ROW LEVEL SECURITY;
ALTER TABLE private_access FORCE ROW LEVEL SECURITY;
CREATE POLICY company_scope ON private_access
	USING (company = current_setting('infermargin.company', true)
		OR current_setting('infermargin.operator', true) = 'on')
	WITH CHECK (company = current_setting('infermargin.company', true)
		OR current_setting('infermargin.operator', true) = 'on');
