package aggregation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/crypto/vdaf"
)

// TestUploadRejects checks that each kind of bad report is refused with
// its own error, and that nothing stored changes.
func TestUploadRejects(t *testing.T) {
	w := newWorld(t)
	b := batch("rejects@1")
	w.open(t, b)
	c := w.enroll(t, "acme")
	good := must(c.NewReport(b, []uint64{1, 2, 3, 4, 5}))
	if errs := w.upload(good); errs != [2]error{} {
		t.Fatal(errs)
	}
	other := batch("other@1")
	w.open(t, other)
	closed := batch("closed@1")
	w.open(t, closed)
	w.close(t, closed)

	tests := []struct {
		name string
		make func() *aggregation.Report
		role aggregation.Role
		want error
	}{
		{"tampered leader ciphertext", func() *aggregation.Report {
			r := fresh(t, c, b)
			r.Shares[0][len(r.Shares[0])-1] ^= 1
			resign(t, w, r)
			return r
		}, aggregation.Leader, aggregation.ErrDecrypt},
		{"helper ciphertext swapped in for the leader's", func() *aggregation.Report {
			r := fresh(t, c, b)
			r.Shares[0] = r.Shares[1]
			resign(t, w, r)
			return r
		}, aggregation.Leader, aggregation.ErrDecrypt},
		{"wrong signature", func() *aggregation.Report {
			r := fresh(t, c, b)
			r.Signature[3] ^= 1
			return r
		}, aggregation.Helper, aggregation.ErrSignature},
		{"signed by another company", func() *aggregation.Report {
			r := fresh(t, w.enroll(t, "mallory"), b)
			r.Company = "acme"
			return r
		}, aggregation.Leader, aggregation.ErrSignature},
		{"replayed report id", func() *aggregation.Report {
			nonce := vdaf.Nonce(good.ID)
			s := must(c.VDAF().Shard([]uint64{5, 4, 3, 2, 1}, &nonce))
			return must(c.Assemble(b, good.ID, s))
		}, aggregation.Helper, aggregation.ErrReplay},
		{"shares re-signed into another batch", func() *aggregation.Report {
			r := fresh(t, c, b)
			r.Batch = other
			resign(t, w, r)
			return r
		}, aggregation.Helper, aggregation.ErrDecrypt},
		{"unknown batch", func() *aggregation.Report {
			return fresh(t, c, batch("nobody@1"))
		}, aggregation.Leader, aggregation.ErrUnknownBatch},
		{"closed batch", func() *aggregation.Report {
			return fresh(t, c, closed)
		}, aggregation.Helper, aggregation.ErrBatchClosed},
		{"unknown company", func() *aggregation.Report {
			r := fresh(t, c, b)
			r.Company = "nobody"
			return r
		}, aggregation.Leader, aggregation.ErrUnknownCompany},
		{"too few metrics", func() *aggregation.Report {
			r := fresh(t, c, b)
			r.Public = r.Public[:4]
			return r
		}, aggregation.Leader, aggregation.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, w, b, good.ID)
			_, err := w.Aggregators[tc.role].Upload(context.Background(), tc.make())
			if !errors.Is(err, tc.want) {
				t.Errorf("%s Upload = %v, want %v", tc.role, err, tc.want)
			}
			if after := snapshot(t, w, b, good.ID); after != before {
				t.Errorf("stored report changed: %v, want %v", after, before)
			}
		})
	}
}

// TestReplay checks the one-report-per-company rule: a newer report
// replaces the older, the older one cannot come back, and an identical
// retry of the current one changes nothing.
func TestReplay(t *testing.T) {
	w := newWorld(t)
	b := batch("replay@1")
	w.open(t, b)
	c := w.enroll(t, "acme")
	first := must(c.NewReport(b, []uint64{1, 2, 3, 4, 5}))
	second := must(c.NewReport(b, []uint64{5, 4, 3, 2, 1}))
	ctx := context.Background()
	for _, a := range w.Aggregators {
		steps := []struct {
			r    *aggregation.Report
			want error
		}{
			{first, nil}, {second, nil}, {second, nil},
			{first, aggregation.ErrReplay},
		}
		for i, s := range steps {
			if _, err := a.Upload(ctx, s.r); !errors.Is(err, s.want) {
				t.Errorf("%s step %d: Upload = %v, want %v", a.Role(), i,
					err, s.want)
			}
		}
	}
	for _, s := range w.Stores {
		if _, err := s.Report(ctx, first.ID); !errors.Is(err,
			aggregation.ErrUnknownReport) {
			t.Errorf("replaced report still current: %v", err)
		}
		if _, err := s.Report(ctx, second.ID); err != nil {
			t.Errorf("current report: %v", err)
		}
	}
}

// TestJobMovesReport checks that a leader cannot count a report in a
// batch other than the one it was uploaded to: the helper drops it.
func TestJobMovesReport(t *testing.T) {
	w := newWorld(t)
	a, b := batch("first@1"), batch("second@1")
	w.open(t, a)
	w.open(t, b)
	c := w.enroll(t, "acme")
	r := must(c.NewReport(a, []uint64{1, 2, 3, 4, 5}))
	w.upload(r)
	w.close(t, a)
	w.close(t, b)

	req := &aggregation.JobRequest{Job: must(aggregation.NewJobID()),
		Batch: b, Reports: []aggregation.PrepInitMsg{{ID: r.ID,
			PrepShares: make([][]byte, 5)}}}
	resp, err := w.helper().Aggregate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Results[0].Reason; got != "wrong_batch" {
		t.Errorf("helper reason = %q, want %q", got, "wrong_batch")
	}
	if n, _ := w.Stores[1].Undecided(context.Background(), a); n != 1 {
		t.Errorf("report left its batch: %d undecided in %s, want 1", n, a)
	}
}

func fresh(t *testing.T, c *aggregation.Client,
	b aggregation.BatchID) *aggregation.Report {
	t.Helper()
	return must(c.NewReport(b, []uint64{0, 1, 2, 3, 4}))
}

// resign re-signs a modified report with its company's key, as a
// misbehaving company would.
func resign(t *testing.T, w *world, r *aggregation.Report) {
	t.Helper()
	r.Signature = must(w.Signer(r.Company).Sign(sign.KindReport,
		r.SignedBytes()))
}

type stored struct {
	reports int
	hash    [32]byte
}

// snapshot is what both aggregators store in b: how many reports, and
// the hash of report id.
func snapshot(t *testing.T, w *world, b aggregation.BatchID,
	id aggregation.ReportID) [2]stored {
	t.Helper()
	var out [2]stored
	for i, s := range w.Stores {
		out[i].reports, _ = s.Undecided(context.Background(), b)
		if sr, err := s.Report(context.Background(), id); err == nil {
			out[i].hash = sr.Report.Hash()
		}
	}
	return out
}

// TestReceipt checks that each aggregator signs a receipt naming the
// report it stored, that the other aggregator's key does not verify it,
// and that any changed field breaks it.
func TestReceipt(t *testing.T) {
	w := newWorld(t)
	b := batch("receipt@1")
	w.open(t, b)
	c := w.enroll(t, "acme")
	r := must(c.NewReport(b, []uint64{1, 2, 3, 4, 5}))
	for role, a := range w.Aggregators {
		rc, err := a.Upload(context.Background(), r)
		if err != nil {
			t.Fatalf("%s Upload = %v", a.Role(), err)
		}
		if rc.Report != r.ID || rc.Batch != b || rc.Company != "acme" ||
			rc.Role != a.Role() || rc.ReportHash != r.Hash() {
			t.Errorf("%s receipt = %+v, want report %s", a.Role(), rc, r.ID)
		}
		if err := rc.Verify(w.StatementKeys[role]); err != nil {
			t.Errorf("%s receipt Verify = %v", a.Role(), err)
		}
		other := w.StatementKeys[1-role]
		if err := rc.Verify(other); !errors.Is(err, aggregation.ErrSignature) {
			t.Errorf("%s receipt under peer key = %v, want %v", a.Role(),
				err, aggregation.ErrSignature)
		}
		rc.Time++
		err = rc.Verify(w.StatementKeys[role])
		if !errors.Is(err, aggregation.ErrSignature) {
			t.Errorf("%s receipt with changed time = %v, want %v",
				a.Role(), err, aggregation.ErrSignature)
		}
	}
}
