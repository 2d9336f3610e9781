package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/client/submit"
	"github.com/infermargin/infermargin/crypto/hpke"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/node"
	"github.com/infermargin/infermargin/server/servertest"
)

// pair is a leader and a helper, each built by package node on its own
// SQLite store and served by httptest on loopback.
type pair struct {
	m      *methodology.Methodology
	nodes  [2]*node.Node
	srv    [2]*httptest.Server
	admin  [2]*servertest.Admin
	to     [2]submit.Aggregator
	shares [2]*hpke.PublicKey
	logs   *syncBuffer
	dir    string
}

// syncBuffer collects log lines from both nodes' goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newPair builds the pair on SQLite.
func newPair(t testing.TB) *pair {
	t.Helper()
	return newPairOn(t, [2]string{})
}

// newPairOn builds the pair on the PostgreSQL databases at urls, by
// role, or on SQLite where a url is empty.
func newPairOn(t testing.TB, urls [2]string) *pair {
	t.Helper()
	p := &pair{dir: t.TempDir(), logs: &syncBuffer{}}
	var err error
	if p.m, err = methodology.Load("v1"); err != nil {
		t.Fatal(err)
	}
	cfgs, err := node.LocalConfigs(p.dir)
	if err != nil {
		t.Fatal(err)
	}
	token, err := os.ReadFile(filepath.Join(p.dir, "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(p.logs, nil))
	for _, role := range []aggregation.Role{aggregation.Helper,
		aggregation.Leader} {
		if urls[role] != "" {
			cfgs[role].DatabaseURL = secretFile(t, p.dir,
				role.String()+".db-url", urls[role])
		}
		if role == aggregation.Leader {
			cfgs[role].Peer.URL = p.srv[aggregation.Helper].URL
		}
		p.start(t, role, cfgs[role], log, string(token))
	}
	return p
}

// secretFile writes a secret to a 0600 file and returns its reference.
func secretFile(t testing.TB, dir, name, value string) string {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(value), 0o600); err != nil {
		t.Fatal(err)
	}
	return "file://" + path
}

func (p *pair) start(t testing.TB, role aggregation.Role, c *node.Config,
	log *slog.Logger, token string) {
	n, err := node.Build(context.Background(), c, log, nil)
	if err != nil {
		t.Fatalf("build %s: %v", role, err)
	}
	t.Cleanup(func() { n.Close() })
	p.nodes[role] = n
	p.srv[role] = httptest.NewServer(n)
	t.Cleanup(p.srv[role].Close)
	p.admin[role] = &servertest.Admin{URL: p.srv[role].URL, Token: token}
	if p.shares[role], err = node.ReadShareKey(filepath.Join(c.DataDir,
		node.SharePubFile)); err != nil {
		t.Fatal(err)
	}
	key, err := node.ReadStatementKey(filepath.Join(c.DataDir,
		node.StatementPubFile))
	if err != nil {
		t.Fatal(err)
	}
	p.to[role] = submit.Aggregator{URL: p.srv[role].URL, Key: key}
}

func (p *pair) submitter() *submit.Submitter {
	return submit.New(p.to[0], p.to[1], nil)
}

// companies makes n synthetic companies, all with the default answers,
// and has both nodes enroll and approve them.
func (p *pair) companies(t testing.TB, n int, seed uint64,
	distinct bool) []*servertest.Company {
	t.Helper()
	cs := p.newCompanies(t, n, seed, distinct)
	p.enroll(t, cs)
	return cs
}

// newCompanies makes n synthetic companies without enrolling them.
func (p *pair) newCompanies(t testing.TB, n int, seed uint64,
	distinct bool) []*servertest.Company {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed))
	cs, err := servertest.Companies(p.m, n, rng, distinct, p.shares)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// enroll has both nodes enroll and approve cs.
func (p *pair) enroll(t testing.TB, cs []*servertest.Company) {
	t.Helper()
	if err := servertest.EnrollAll(context.Background(), cs,
		p.admin[0], p.admin[1]); err != nil {
		t.Fatal(err)
	}
}

// cohort defines a cohort of one use case on both nodes and returns a
// batch of its version 1.
func (p *pair) cohort(t testing.TB, id, useCase string) aggregation.BatchID {
	t.Helper()
	ref, err := servertest.DefineAll(context.Background(), id,
		methodology.Criteria{UseCase: useCase}, p.admin[0], p.admin[1])
	if err != nil {
		t.Fatal(err)
	}
	return batchOf(ref)
}

// open opens b through the leader, which opens it on the helper.
func (p *pair) open(t testing.TB, b aggregation.BatchID) {
	t.Helper()
	if err := p.admin[0].Open(context.Background(), b); err != nil {
		t.Fatalf("open %s: %v", b, err)
	}
}

// close closes b on both nodes.
func (p *pair) close(t testing.TB, b aggregation.BatchID) {
	t.Helper()
	for _, a := range p.admin {
		if err := a.Close(context.Background(), b); err != nil {
			t.Fatalf("close %s: %v", b, err)
		}
	}
}

// uploadAll uploads each company's report for b and returns them.
func (p *pair) uploadAll(t *testing.T, b aggregation.BatchID,
	cs []*servertest.Company) []*aggregation.Report {
	t.Helper()
	sub := p.submitter()
	var out []*aggregation.Report
	for _, c := range cs {
		r, err := c.Client.NewReport(b, c.Buckets)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sub.Submit(context.Background(), r); err != nil {
			t.Fatalf("submit %s: %v", c.ID, err)
		}
		out = append(out, r)
	}
	return out
}

func batchOf(cohort string) aggregation.BatchID {
	return aggregation.BatchID{Cohort: cohort, Period: "2026-11",
		Methodology: "v1"}
}

// checkLogs fails if a log line holds any share, signature or token.
func (p *pair) checkLogs(t *testing.T, secrets ...string) {
	t.Helper()
	logs := p.logs.String()
	if !strings.Contains(logs, `"msg":"request"`) {
		t.Fatalf("no access log lines in %d bytes of logs", len(logs))
	}
	for _, s := range secrets {
		if len(s) >= 16 && strings.Contains(logs, s) {
			t.Errorf("a log line holds a secret or share (%.12s...)", s)
		}
	}
}
