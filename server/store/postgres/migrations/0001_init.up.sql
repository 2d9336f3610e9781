-- One aggregator node's state. A batch is keyed by its three parts; the
-- tables that name a batch repeat them rather than join, so that every
-- query on a batch reads one table.

CREATE TABLE batches (
	cohort      text        NOT NULL,
	period      text        NOT NULL,
	methodology text        NOT NULL,
	closed      boolean     NOT NULL DEFAULT false,
	opened_at   timestamptz NOT NULL,
	closed_at   timestamptz,
	PRIMARY KEY (cohort, period, methodology)
);

-- Every report id ever stored, replaced or not: an id is never reused.
CREATE TABLE report_ids (
	id bytea PRIMARY KEY
);

-- The current report of each company in each batch. A replacement
-- overwrites the row; claimed_by and decided_by name jobs.
CREATE TABLE reports (
	id          bytea       PRIMARY KEY REFERENCES report_ids (id),
	cohort      text        NOT NULL,
	period      text        NOT NULL,
	methodology text        NOT NULL,
	company     text        NOT NULL,
	body        bytea       NOT NULL,
	received_at timestamptz NOT NULL,
	claimed_by  bytea,
	decided_by  bytea,
	UNIQUE (cohort, period, methodology, company),
	FOREIGN KEY (cohort, period, methodology) REFERENCES batches
);

CREATE INDEX reports_unclaimed ON reports (cohort, period, methodology, id)
	WHERE claimed_by IS NULL AND decided_by IS NULL;

-- Claimed jobs, in claim order (seq). report_list is the job's reports,
-- 16 bytes each, in job order.
CREATE TABLE jobs (
	seq         bigint      GENERATED ALWAYS AS IDENTITY,
	id          bytea       PRIMARY KEY,
	cohort      text        NOT NULL,
	period      text        NOT NULL,
	methodology text        NOT NULL,
	report_list bytea       NOT NULL,
	holder      text        NOT NULL,
	lease_until timestamptz NOT NULL,
	committed   boolean     NOT NULL DEFAULT false,
	FOREIGN KEY (cohort, period, methodology) REFERENCES batches
);

CREATE INDEX jobs_pending ON jobs (cohort, period, methodology, seq)
	WHERE NOT committed;

-- Committed job results, in commit order (seq). body is JSON.
CREATE TABLE job_results (
	seq         bigint GENERATED ALWAYS AS IDENTITY,
	job         bytea  PRIMARY KEY,
	cohort      text   NOT NULL,
	period      text   NOT NULL,
	methodology text   NOT NULL,
	body        bytea  NOT NULL
);

CREATE INDEX job_results_batch
	ON job_results (cohort, period, methodology, seq);

CREATE TABLE companies (
	id          text        PRIMARY KEY,
	public_key  bytea       NOT NULL,
	enrolled_at timestamptz NOT NULL
);

CREATE TABLE receipts (
	report      bytea    PRIMARY KEY,
	cohort      text     NOT NULL,
	period      text     NOT NULL,
	methodology text     NOT NULL,
	company     text     NOT NULL,
	role        smallint NOT NULL,
	unix_time   bigint   NOT NULL,
	report_hash bytea    NOT NULL,
	key_id      text     NOT NULL,
	signature   bytea    NOT NULL
);

-- body is bytea, not jsonb: it is served byte for byte as published.
CREATE TABLE publications (
	seq          bigint      GENERATED ALWAYS AS IDENTITY,
	id           text        PRIMARY KEY,
	cohort       text        NOT NULL,
	period       text        NOT NULL,
	methodology  text        NOT NULL,
	tier         smallint    NOT NULL,
	published_at timestamptz NOT NULL,
	body         bytea       NOT NULL
);

CREATE INDEX publications_order ON publications (published_at, seq);
