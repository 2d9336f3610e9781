DROP TABLE publications;
DROP TABLE receipts;
DROP TABLE companies;
DROP TABLE job_results;
DROP TABLE jobs;
DROP TABLE reports;
DROP TABLE report_ids;
DROP TABLE batches;
