package openai

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// usagePages emulates GET /v1/organization/usage/completions grouped
// by model, two daily buckets a page; the second day has no usage.
var usagePages = map[string]string{
	"": fmt.Sprintf(`{"object":"page","data":[{"object":"bucket",`+
		`"start_time":%d,"end_time":%d,"results":[{"object":`+
		`"organization.usage.completions.result","input_tokens":1000,`+
		`"output_tokens":200,"input_cached_tokens":300,`+
		`"num_model_requests":4,"model":"gpt-4o-mini","project_id":null}`+
		`]},{"object":"bucket","start_time":%d,"end_time":%d,`+
		`"results":[]}],"has_more":true,"next_page":"page_AA=="}`,
		d(0), d(1), d(1), d(2)),
	"page_AA==": fmt.Sprintf(`{"object":"page","data":[{"object":`+
		`"bucket","start_time":%d,"end_time":%d,"results":[`+
		`{"input_tokens":7,"output_tokens":8,"input_cached_tokens":0,`+
		`"num_model_requests":1,"model":"o3"}]}],"has_more":false,`+
		`"next_page":null}`, d(2), d(3)),
}

func TestUsage(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		body, ok := usagePages[q.Get("page")]
		switch {
		case r.Header.Get("Authorization") != "Bearer "+testKey:
			apiError(w, 401, "invalid_request_error", "bad key")
		case r.URL.Path != usagePath || q.Get("group_by") != "model" ||
			q.Get("bucket_width") != "1d" || q.Get("limit") != "31" ||
			q.Get("start_time") != fmt.Sprint(d(0)) ||
			q.Get("end_time") != fmt.Sprint(d(3)) || !ok:
			apiError(w, 400, "invalid_request_error", "bad query")
		default:
			_, _ = w.Write([]byte(body))
		}
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, AdminKey: testKey}
	got, err := c.Usage(context.Background(), aug1, aug1.AddDate(0, 0, 3))
	if err != nil {
		t.Fatalf("Usage() = %v", err)
	}
	want := []Tokens{
		{aug1, aug1.AddDate(0, 0, 1), "gpt-4o-mini", 1000, 300, 200, 4},
		{aug1.AddDate(0, 0, 2), aug1.AddDate(0, 0, 3), "o3", 7, 0, 8, 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Usage() mismatch (-want +got):\n%s", diff)
	}
	if c.Calls() != 2 {
		t.Errorf("Calls() = %d, want 2", c.Calls())
	}
}
