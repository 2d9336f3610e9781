-- Companies deleted by the up migration are not restored.

DROP TABLE private_access;
DROP TABLE releases;
DROP TABLE reassignments;
DROP TABLE cohort_members;
DROP TABLE cohort_versions;
DROP TABLE cohorts;
DROP TABLE assignments;
DROP TABLE enrollments;
DROP TABLE audit_log;
DROP TABLE accounts;
