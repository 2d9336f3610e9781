-- Companies deleted by the up migration are not restored.

DROP POLICY company_scope ON private_access;
DROP POLICY company_scope ON receipts;
DROP POLICY company_scope ON enrollments;
ALTER TABLE receipts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE receipts DISABLE ROW LEVEL SECURITY;
ALTER TABLE receipts DROP CONSTRAINT receipts_company_set;

DROP TABLE private_access;
DROP TABLE releases;
DROP TABLE reassignments;
DROP TABLE cohort_members;
DROP TABLE cohort_versions;
DROP TABLE cohorts;
DROP TABLE assignments;
DROP TABLE enrollments;
DROP TABLE audit_log;
DROP FUNCTION audit_log_refuse();
DROP TABLE accounts;
