package collect

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/server/node"
)

// uploadKeys writes the operators' and the company's keys into dir and
// points a's key settings at them.
func uploadKeys(t *testing.T, dir string, a *Aggregators) {
	t.Helper()
	for i, role := range []aggregation.Role{aggregation.Leader,
		aggregation.Helper} {
		d := filepath.Join(dir, role.String())
		if err := node.GenerateKeys(d, role); err != nil {
			t.Fatal(err)
		}
		share := filepath.Join(d, node.SharePubFile)
		stmt := filepath.Join(d, node.StatementPubFile)
		if i == 0 {
			a.LeaderShareKey, a.LeaderStatementKey = share, stmt
		} else {
			a.HelperShareKey, a.HelperStatementKey = share, stmt
		}
	}
	a.KEK = filepath.Join(dir, "kek.json")
	if err := keys.GenerateLocalKEK(a.KEK); err != nil {
		t.Fatal(err)
	}
	kek, err := keys.LoadLocalKEK(a.KEK)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.GenerateSigner()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = keys.WriteEncrypted(&b, s.Handle(), kek, SigningPurpose(a.Company))
	if err != nil {
		t.Fatal(err)
	}
	a.SigningKey = filepath.Join(dir, "company.json")
	if err := os.WriteFile(a.SigningKey, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	a.ReceiptsDir = filepath.Join(dir, "receipts")
}

// TestPrepareSendsOnlyShares builds a real report, checks what
// Describe says, and checks that the bytes sent hold no figure.
func TestPrepareSendsOnlyShares(t *testing.T) {
	w := newWorld(t)
	uploadKeys(t, t.TempDir(), w.cfg.Aggregators)
	s, _, err := Compute(context.Background(), w.cfg, "2026-11", nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := Prepare(w.cfg, s, nil)
	if err != nil {
		t.Fatalf("Prepare = %v", err)
	}
	var d bytes.Buffer
	u.Describe(&d)
	for _, sub := range []string{u.Report.ID.String(),
		"smb@1/2026-11/v1", "leader share", "helper share", "bytes"} {
		if !strings.Contains(d.String(), sub) {
			t.Errorf("Describe lacks %q:\n%s", sub, d.String())
		}
	}
	var body []byte
	w.leader.handle = func(rw http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		http.Error(rw, `{"error":"test"}`, http.StatusTeapot)
	}
	if _, err := u.Send(context.Background()); err == nil {
		t.Fatal("Send to a refusing leader = nil, want an error")
	}
	if w.helper.count() != 0 {
		t.Error("helper reached after the leader refused")
	}
	for _, sub := range []string{"1500", "1200", "llm_spend",
		"TESTKEY"} {
		if bytes.Contains(body, []byte(sub)) {
			t.Errorf("upload body holds %q", sub)
		}
	}
	if len(body) == 0 {
		t.Error("leader got no body")
	}
}

// TestCheckKeysNamesTheFile checks that a missing key file is reported, naming
// its setting, before anything is fetched.
func TestCheckKeysNamesTheFile(t *testing.T) {
	w := newWorld(t)
	c := w.cfg
	uploadKeys(t, t.TempDir(), c.Aggregators)
	if err := c.CheckKeys(); err != nil {
		t.Fatalf("CheckKeys on a good config = %v", err)
	}
	c.Aggregators.HelperStatementKey += ".missing"
	err := c.CheckKeys()
	if err == nil || !strings.Contains(err.Error(),
		"aggregators.helper_statement_key") {
		t.Errorf("CheckKeys with a missing file = %v, want an error "+
			"naming aggregators.helper_statement_key", err)
	}
}
