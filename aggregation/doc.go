// Package aggregation is the two-party protocol between a leader and a
// helper aggregator, and the publisher that turns their released aggregate
// shares into published percentiles.
//
// The flow, per batch (one cohort, one month, one methodology version):
//
//   - a Client builds a signed Report holding one Prio3 public share per
//     metric and one HPKE ciphertext per aggregator;
//   - each Aggregator checks and stores its copy with Upload;
//   - once the batch is closed, the leader runs aggregation jobs
//     (RunJobs): it prepares its shares and sends its prep shares to the
//     helper, which decides the proofs, aggregates and answers with the
//     prep messages; each side commits a job once, so a job run twice
//     counts nothing twice;
//   - Collect asks both sides for their aggregate shares; each side
//     refuses on its own below the threshold or when the two sides
//     disagree on the count or checksum, and signs a Statement;
//   - a Publisher checks both statements, unshards and derives the
//     percentiles by the methodology's rule.
//
// The package is transport- and storage-neutral: the helper is reached
// through the Peer interface and state lives behind Store. It does not
// log, speak HTTP or touch a database; package server does.
package aggregation
