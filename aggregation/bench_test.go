package aggregation_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/infermargin/infermargin/aggregation"
)

var benchMeas = []uint64{3, 7, 11, 5, 2}

// BenchmarkClientReport is the collector's cost of one report: shard
// five metrics, encrypt both shares and sign.
func BenchmarkClientReport(b *testing.B) {
	w := newWorld(b)
	c := w.enroll(b, "acme")
	bt := batch("bench@1")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.NewReport(bt, benchMeas); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAggregatorPrepInit is one aggregator's cost per report to
// decrypt its share and run Prio3 PrepInit on five metrics.
func BenchmarkAggregatorPrepInit(b *testing.B) {
	w := newWorld(b)
	c := w.enroll(b, "acme")
	r := must(c.NewReport(batch("bench@1"), benchMeas))
	b.ReportAllocs()
	for b.Loop() {
		if err := w.helper().PrepInit(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAggregatorUpload is one aggregator's cost to accept a report:
// signature check, decryption, PrepInit and storing (in memory).
func BenchmarkAggregatorUpload(b *testing.B) {
	w := newWorld(b)
	bt := batch("bench@1")
	w.open(b, bt)
	c := w.enroll(b, "acme")
	reports := make([]*aggregation.Report, b.N)
	for i := range reports {
		reports[i] = must(c.NewReport(bt, benchMeas))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := w.leader().Upload(context.Background(), reports[i]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatch runs a whole batch through the protocol in process:
// upload to both aggregators, aggregation jobs of 500 reports, release
// and publication. Making the reports is not timed. Run it with
// -benchtime=1x; each phase is reported as its own metric.
func BenchmarkBatch(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("reports=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchBatch(b, n)
			}
		})
	}
}

func benchBatch(b *testing.B, n int) {
	b.StopTimer()
	w := newWorld(b)
	bt := batch("bench@1")
	w.open(b, bt)
	reports := make([]*aggregation.Report, n)
	for i := range reports {
		c := w.enroll(b, fmt.Sprintf("co-%05d", i))
		reports[i] = must(c.NewReport(bt, benchMeas))
	}
	ctx := context.Background()
	b.StartTimer()

	start := time.Now()
	for _, r := range reports {
		if errs := w.upload(r); errs != [2]error{} {
			b.Fatal(errs)
		}
	}
	upload := time.Since(start)
	w.close(b, bt)

	start = time.Now()
	st, err := w.leader().RunJobs(ctx, bt, w.helper(), 500)
	if err != nil || st.Accepted != n {
		b.Fatalf("RunJobs = %+v, %v", st, err)
	}
	agg := time.Since(start)

	start = time.Now()
	if _, err := w.publish(bt, aggregation.Public); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(upload.Seconds(), "upload-s")
	b.ReportMetric(agg.Seconds(), "aggregate-s")
	b.ReportMetric(time.Since(start).Seconds(), "release-s")
}
