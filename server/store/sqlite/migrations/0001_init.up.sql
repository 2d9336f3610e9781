-- One aggregator node's state. A batch is keyed by its three parts; the
-- tables that name a batch repeat them rather than join, so that every
-- query on a batch reads one table. Times are microseconds since the
-- Unix epoch, UTC; booleans are 0 or 1.

CREATE TABLE batches (
	cohort      TEXT    NOT NULL,
	period      TEXT    NOT NULL,
	methodology TEXT    NOT NULL,
	closed      INTEGER NOT NULL DEFAULT 0,
	opened_at   INTEGER NOT NULL,
	closed_at   INTEGER,
	PRIMARY KEY (cohort, period, methodology)
) STRICT;

-- Every report id ever stored, replaced or not: an id is never reused.
CREATE TABLE report_ids (
	id BLOB PRIMARY KEY
) STRICT;

-- The current report of each company in each batch. A replacement
-- overwrites the row; claimed_by and decided_by name jobs.
CREATE TABLE reports (
	id          BLOB    PRIMARY KEY REFERENCES report_ids (id),
	cohort      TEXT    NOT NULL,
	period      TEXT    NOT NULL,
	methodology TEXT    NOT NULL,
	company     TEXT    NOT NULL,
	body        BLOB    NOT NULL,
	received_at INTEGER NOT NULL,
	claimed_by  BLOB,
	decided_by  BLOB,
	UNIQUE (cohort, period, methodology, company),
	FOREIGN KEY (cohort, period, methodology) REFERENCES batches
) STRICT;

CREATE INDEX reports_unclaimed ON reports (cohort, period, methodology, id)
	WHERE claimed_by IS NULL AND decided_by IS NULL;

-- Claimed jobs, in claim order (seq). report_list is the job's reports,
-- 16 bytes each, in job order.
CREATE TABLE jobs (
	seq         INTEGER PRIMARY KEY,
	id          BLOB    NOT NULL UNIQUE,
	cohort      TEXT    NOT NULL,
	period      TEXT    NOT NULL,
	methodology TEXT    NOT NULL,
	report_list BLOB    NOT NULL,
	holder      TEXT    NOT NULL,
	lease_until INTEGER NOT NULL,
	committed   INTEGER NOT NULL DEFAULT 0,
	FOREIGN KEY (cohort, period, methodology) REFERENCES batches
) STRICT;

CREATE INDEX jobs_pending ON jobs (cohort, period, methodology, seq)
	WHERE committed = 0;

-- Committed job results, in commit order (seq). body is JSON.
CREATE TABLE job_results (
	seq         INTEGER PRIMARY KEY,
	job         BLOB    NOT NULL UNIQUE,
	cohort      TEXT    NOT NULL,
	period      TEXT    NOT NULL,
	methodology TEXT    NOT NULL,
	body        BLOB    NOT NULL
) STRICT;

CREATE INDEX job_results_batch
	ON job_results (cohort, period, methodology, seq);

CREATE TABLE companies (
	id          TEXT    PRIMARY KEY,
	public_key  BLOB    NOT NULL,
	enrolled_at INTEGER NOT NULL
) STRICT;

CREATE TABLE receipts (
	report      BLOB    PRIMARY KEY,
	cohort      TEXT    NOT NULL,
	period      TEXT    NOT NULL,
	methodology TEXT    NOT NULL,
	company     TEXT    NOT NULL,
	role        INTEGER NOT NULL,
	unix_time   INTEGER NOT NULL,
	report_hash BLOB    NOT NULL,
	key_id      TEXT    NOT NULL,
	signature   BLOB    NOT NULL
) STRICT;

-- body is served byte for byte as published.
CREATE TABLE publications (
	seq          INTEGER PRIMARY KEY,
	id           TEXT    NOT NULL UNIQUE,
	cohort       TEXT    NOT NULL,
	period       TEXT    NOT NULL,
	methodology  TEXT    NOT NULL,
	tier         INTEGER NOT NULL,
	published_at INTEGER NOT NULL,
	body         BLOB    NOT NULL
) STRICT;

CREATE INDEX publications_order ON publications (published_at, seq);
