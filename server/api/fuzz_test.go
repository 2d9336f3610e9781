package api

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/aggregation"
)

// fuzzJSON feeds f's inputs to decode after json.Unmarshal into a T,
// the path every request body takes. decode must not panic, and what it
// accepts must survive a round trip through encode.
func fuzzJSON[T any, V any](f *testing.F, seeds []any,
	decode func(*T) (V, error), encode func(V) (*T, error)) {
	for _, s := range seeds {
		b, err := json.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var x T
		if json.Unmarshal(in, &x) != nil {
			return
		}
		v, err := decode(&x)
		if err != nil {
			return
		}
		enc, err := encode(v)
		if err != nil {
			t.Fatalf("encoding an accepted value: %v", err)
		}
		again, err := decode(enc)
		if err != nil {
			t.Fatalf("re-decoding an accepted value: %v", err)
		}
		if diff := cmp.Diff(v, again); diff != "" {
			t.Fatalf("round trip changed the value:\n%s", diff)
		}
	})
}

// infallible lifts an encoder that cannot fail.
func infallible[V, T any](f func(V) *T) func(V) (*T, error) {
	return func(v V) (*T, error) { return f(v), nil }
}

const hexID = "05000000000000000000000000000000"

func FuzzUpload(f *testing.F) {
	fuzzJSON(f, []any{FromReport(sampleReport())}, (*Upload).Report,
		infallible(FromReport))
}

func FuzzReceipt(f *testing.F) {
	seed := &Receipt{Report: hexID, Role: "leader",
		ReportHash: hexID + hexID, Signature: "AQ=="}
	fuzzJSON(f, []any{seed}, (*Receipt).Receipt, infallible(FromReceipt))
}

func FuzzJobRequest(f *testing.F) {
	seed := &JobRequest{Batch: FromBatch(sampleReport().Batch),
		Reports: []PrepInit{{ID: hexID, PrepShares: []string{"AQI="}},
			{ID: hexID, Reason: "decrypt_failed"}}}
	decode := func(r *JobRequest) (*aggregation.JobRequest, error) {
		return r.JobRequest(hexID)
	}
	fuzzJSON(f, []any{seed}, decode, infallible(FromJobRequest))
}

func FuzzJobResponse(f *testing.F) {
	seed := &JobResponse{Job: hexID,
		Results: []PrepResult{{ID: hexID, Messages: []string{"AQI="}}}}
	fuzzJSON(f, []any{seed}, (*JobResponse).JobResponse,
		infallible(FromJobResponse))
}

func FuzzShareRequest(f *testing.F) {
	seed := &ShareRequest{Batch: FromBatch(sampleReport().Batch),
		Tier: "private", Count: 30, Checksum: hexID + hexID}
	fuzzJSON(f, []any{seed}, (*ShareRequest).ShareRequest,
		infallible(FromShareRequest))
}

func FuzzCollection(f *testing.F) {
	fuzzJSON(f, []any{&Collection{Batch: FromBatch(sampleReport().Batch),
		Tier: "public"}}, (*Collection).Collection, FromCollection)
}

func FuzzParseRef(f *testing.F) {
	f.Add("support-smb@3.2026-11.v1")
	f.Add("a@1..v1")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseRef(s)
		if err == nil && Ref(b) != s {
			t.Fatalf("Ref(ParseRef(%q)) = %q", s, Ref(b))
		}
	})
}
