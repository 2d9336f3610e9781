package enroll

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
)

// fakeNode checks enrollments and signed reads as a node would, and
// holds what it accepted.
type fakeNode struct {
	mu    sync.Mutex
	held  map[string]*api.Enrollment
	key   map[string]*sign.Verifier
	fail  int // answer every request with this status, if set
	posts int
}

func newFakeNode(t *testing.T) (*fakeNode, string) {
	n := &fakeNode{held: map[string]*api.Enrollment{},
		key: map[string]*sign.Verifier{}}
	srv := httptest.NewServer(n)
	t.Cleanup(srv.Close)
	return n, srv.URL
}

func (n *fakeNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.fail != 0:
		answerError(w, n.fail, "boom")
	case r.Method == http.MethodPost && r.URL.Path == "/v1/enrollments":
		n.enroll(w, r)
	case r.Method == http.MethodGet &&
		strings.HasPrefix(r.URL.Path, "/v1/enrollments/"):
		n.status(w, r)
	default:
		answerError(w, http.StatusNotFound, "not_found")
	}
}

func (n *fakeNode) enroll(w http.ResponseWriter, r *http.Request) {
	n.posts++
	var req api.EnrollmentRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		answerError(w, http.StatusBadRequest, "malformed")
		return
	}
	raw, err := api.DecodeKey(req.Key)
	v, verr := sign.ParseVerifier(raw)
	sig, serr := base64.StdEncoding.DecodeString(req.Signature)
	if err != nil || verr != nil || serr != nil || v.Verify(
		sign.KindEnrollment, req.SignedBytes(), sig) != nil {
		answerError(w, http.StatusUnauthorized, "unauthorized")
		return
	}
	status := http.StatusCreated
	if _, ok := n.held[req.Company]; ok {
		status = http.StatusOK
	}
	e := &api.Enrollment{Company: req.Company, KeyID: v.KeyID(),
		Answers: req.Answers, State: "pending",
		SubmittedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	n.held[req.Company], n.key[req.Company] = e, v
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(e)
}

func (n *fakeNode) status(w http.ResponseWriter, r *http.Request) {
	company := strings.TrimPrefix(r.URL.Path, "/v1/enrollments/")
	sr, err := api.ParseSignedRequest(r.Header)
	key := n.key[company]
	if err != nil || key == nil || sr.Company != company ||
		sr.Verify(r.Method, r.URL.RequestURI(), key, time.Now()) != nil {
		answerError(w, http.StatusUnauthorized, "unauthorized")
		return
	}
	json.NewEncoder(w).Encode(n.held[company])
}

func answerError(w http.ResponseWriter, status int, code string) {
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(api.Error{Error: api.ErrorDetail{
		Code: code, Message: "refused"}})
}

func testQuestionnaire() *Questionnaire {
	return &Questionnaire{Company: "acme", Answers: methodology.Answers{
		UseCase: "customer_support", ARRBand: "<1M", TeamSize: "1-10"}}
}

func TestEnrollThenStatus(t *testing.T) {
	fake, url := newFakeNode(t)
	s, err := sign.GenerateSigner()
	if err != nil {
		t.Fatal(err)
	}
	n := &Node{Role: "leader", URL: url + "/", Company: "acme", Signer: s}
	req, err := NewRequest(testQuestionnaire(), s)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 2 { // the second is an identical resubmission
		e, err := n.Enroll(ctx, req)
		if err != nil {
			t.Fatalf("Enroll() #%d = %v", i+1, err)
		}
		if e.State != "pending" || e.KeyID != signerKeyID(t, s) {
			t.Errorf("Enroll() #%d = %s with key %s, want pending "+
				"with the signer's", i+1, e.State, e.KeyID)
		}
	}
	fake.mu.Lock()
	if fake.posts != 2 {
		t.Errorf("node got %d enrollments, want 2", fake.posts)
	}
	fake.mu.Unlock()

	e, err := n.Status(ctx)
	if err != nil {
		t.Fatalf("Status() = %v", err)
	}
	if diff := cmp.Diff(testQuestionnaire().Answers, e.Answers); diff != "" {
		t.Errorf("Status() answers mismatch (-want +got):\n%s", diff)
	}

	other, err := sign.GenerateSigner()
	if err != nil {
		t.Fatal(err)
	}
	n.Signer = other
	if _, err := n.Status(ctx); err == nil ||
		!strings.Contains(err.Error(), "unauthorized") {
		t.Errorf("Status() signed by another key = %v, want "+
			"unauthorized", err)
	}
}

// TestNewRequestSignature checks that a changed answer no longer
// verifies: the signature covers the answers.
func TestNewRequestSignature(t *testing.T) {
	s, err := sign.GenerateSigner()
	if err != nil {
		t.Fatal(err)
	}
	req, err := NewRequest(testQuestionnaire(), s)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := s.Verifier()
	sig, _ := base64.StdEncoding.DecodeString(req.Signature)
	if err := v.Verify(sign.KindEnrollment, req.SignedBytes(),
		sig); err != nil {
		t.Fatalf("Verify(request) = %v", err)
	}
	req.Answers.ARRBand = ">100M"
	if v.Verify(sign.KindEnrollment, req.SignedBytes(), sig) == nil {
		t.Error("Verify(changed request) = nil, want an error")
	}
}

func TestNodeErrors(t *testing.T) {
	tests := []struct {
		status int
		want   error
		msg    string
	}{
		{http.StatusServiceUnavailable, api.ErrUnavailable, "503"},
		{http.StatusForbidden, nil, "403 boom"},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			fake, url := newFakeNode(t)
			fake.fail = tt.status
			s, _ := sign.GenerateSigner()
			n := &Node{Role: "helper", URL: url, Company: "acme",
				Signer: s}
			_, err := n.Status(context.Background())
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) ||
				!strings.Contains(err.Error(), tt.msg) ||
				!strings.Contains(err.Error(), "helper") {
				t.Errorf("Status() = %v, want an error naming the "+
					"helper with %q", err, tt.msg)
			}
		})
	}
	n := &Node{Role: "leader", URL: "http://127.0.0.1:1",
		Company: "acme"}
	if _, err := n.Status(context.Background()); err == nil {
		t.Error("Status() without a key = nil, want an error")
	}
}
