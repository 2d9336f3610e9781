package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/client/submit"
	"github.com/infermargin/infermargin/crypto/hpke"
	"github.com/infermargin/infermargin/internal/testenv"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server"
	"github.com/infermargin/infermargin/server/node"
	"github.com/infermargin/infermargin/server/servertest"
)

// proc is one aggregator node running as its own OS process, started
// from the real binary with a TOML config and its own PostgreSQL
// database.
type proc struct {
	role   aggregation.Role
	config string
	env    []string
	addr   string
	dir    string

	mu    sync.Mutex
	cmd   *exec.Cmd
	lines chan string // stderr log lines, while someone watches
	tail  []string    // the last few lines, for failure messages
}

// cluster is a leader and a helper process and what a company and an
// operator need to talk to them.
type cluster struct {
	procs  [2]*proc
	admin  [2]*servertest.Admin
	to     [2]submit.Aggregator
	shares [2]*hpke.PublicKey
}

func newCluster(t *testing.T, jobSize int) *cluster {
	t.Helper()
	dir := t.TempDir()
	secret := func(name string) (string, string) {
		v := randHex(t)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
		return v, "file://" + p
	}
	_, verify := secret("verify.key")
	peerTok, peerRef := secret("peer.token")
	adminTok := randHex(t)

	c := &cluster{}
	for _, role := range []aggregation.Role{aggregation.Leader,
		aggregation.Helper} {
		p := &proc{role: role, addr: freeAddr(t),
			dir: filepath.Join(dir, role.String())}
		run(t, "aggregator", "keys", "--role", role.String(), "--dir", p.dir)
		p.env = append(os.Environ(), "IM_DATABASE_URL="+testenv.Postgres(t))
		c.procs[role] = p
	}
	l, h := c.procs[0], c.procs[1]
	common := fmt.Sprintf("methodology = \"v1\"\njob_size = %d\n"+
		"job_lease = \"2s\"\ndatabase_url = \"env://IM_DATABASE_URL\"\n"+
		"verify_key = %q\nadmin_token_sha256 = %q\n", jobSize, verify,
		hashHex(adminTok))
	l.write(t, common+fmt.Sprintf("role = \"leader\"\n"+
		"instance = \"leader-1\"\n[peer]\nurl = \"http://%s\"\n"+
		"token = %q\nstatement_key = %q\n", h.addr, peerRef,
		filepath.Join(h.dir, node.StatementPubFile)))
	h.write(t, common+fmt.Sprintf("role = \"helper\"\n"+
		"peer_token_sha256 = %q\npublisher_key = %q\n", hashHex(peerTok),
		filepath.Join(l.dir, node.PublisherPubFile)))

	for _, p := range c.procs {
		p.start(t)
		t.Cleanup(p.kill)
		c.wire(t, p, adminTok)
	}
	return c
}

func (c *cluster) wire(t *testing.T, p *proc, token string) {
	t.Helper()
	url := "http://" + p.addr
	c.admin[p.role] = &servertest.Admin{URL: url, Token: token}
	key, err := node.ReadStatementKey(filepath.Join(p.dir,
		node.StatementPubFile))
	if err != nil {
		t.Fatal(err)
	}
	c.to[p.role] = submit.Aggregator{URL: url, Key: key}
	c.shares[p.role], err = node.ReadShareKey(filepath.Join(p.dir,
		node.SharePubFile))
	if err != nil {
		t.Fatal(err)
	}
}

func (p *proc) write(t *testing.T, toml string) {
	t.Helper()
	p.config = filepath.Join(p.dir, "config.toml")
	toml = fmt.Sprintf("listen = %q\ndata_dir = %q\n", p.addr, p.dir) + toml
	if err := os.WriteFile(p.config, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
}

// start runs the node and waits until it is ready.
func (p *proc) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command(binPath, "aggregator", "--config", p.config)
	cmd.Env = p.env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.cmd = cmd
	p.mu.Unlock()
	go p.scan(stderr)
	p.waitReady(t)
}

func (p *proc) scan(r io.Reader) {
	s := bufio.NewScanner(r)
	for s.Scan() {
		p.mu.Lock()
		ch := p.lines
		p.tail = append(p.tail, s.Text())
		if len(p.tail) > 5 {
			p.tail = p.tail[1:]
		}
		p.mu.Unlock()
		if ch != nil {
			select {
			case ch <- s.Text():
			default:
			}
		}
	}
}

// watch returns a channel of the node's log lines from now on.
func (p *proc) watch() <-chan string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lines = make(chan string, 1024)
	return p.lines
}

func (p *proc) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + p.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t.Fatalf("%s not ready at %s after 30 s; its last lines:\n%s", p.role,
		p.addr, strings.Join(p.tail, "\n"))
}

// kill stops the process at once, as a crash would: SIGKILL, no
// shutdown.
func (p *proc) kill() {
	p.mu.Lock()
	cmd := p.cmd
	p.cmd = nil
	p.mu.Unlock()
	if cmd != nil {
		cmd.Process.Kill()
		cmd.Wait()
	}
}

func run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(binPath, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("infermargin %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func randHex(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func hashHex(token string) string {
	h := server.HashToken(token)
	return hex.EncodeToString(h[:])
}

// fill enrolls the companies on both nodes, defines b's cohort (b's
// cohort must be its version 1) of their use case, opens b, uploads
// one report each and closes b.
func (c *cluster) fill(t *testing.T, b aggregation.BatchID,
	cs []*servertest.Company) {
	t.Helper()
	ctx := context.Background()
	if err := servertest.EnrollAll(ctx, cs, c.admin[0], c.admin[1]); err != nil {
		t.Fatal(err)
	}
	c.define(t, b, cs[0].Answers.UseCase)
	if err := c.admin[0].Open(ctx, b); err != nil {
		t.Fatal(err)
	}
	sub := submit.New(c.to[0], c.to[1], nil)
	for _, co := range cs {
		r, err := co.Client.NewReport(b, co.Buckets)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sub.Submit(ctx, r); err != nil {
			t.Fatalf("submit %s: %v", co.ID, err)
		}
	}
	for _, a := range c.admin {
		if err := a.Close(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
}

// define defines the cohort of b, of one use case, on both nodes, and
// checks that b names its version 1.
func (c *cluster) define(t *testing.T, b aggregation.BatchID,
	useCase string) {
	t.Helper()
	id, _, _ := strings.Cut(b.Cohort, "@")
	ref, err := servertest.DefineAll(context.Background(), id,
		methodology.Criteria{UseCase: useCase}, c.admin[0], c.admin[1])
	if err != nil {
		t.Fatal(err)
	}
	if ref != b.Cohort {
		t.Fatalf("cohort %s defined as %s", b.Cohort, ref)
	}
}
