package main

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/infermargin/infermargin/server/api"
)

// freeAddr returns a loopback address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// TestDemoServes is `make demo`: the default demo publishes its three
// cohorts and serves them at /v1/reports within a minute, the small
// third one suppressed for the public (it is private only), then stops
// cleanly on an interrupt.
func TestDemoServes(t *testing.T) {
	addr := freeAddr(t)
	cmd := exec.Command(binPath, "demo", "--listen", addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	// The demo says it serves once everything is published and shown;
	// an interrupt before that is an interrupted demo.
	serving := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "serving until interrupted") {
				serving <- true
			}
		}
		close(serving)
	}()
	select {
	case ok := <-serving:
		if !ok {
			t.Fatal("demo ended without serving")
		}
	case <-time.After(time.Minute):
		t.Fatal("demo not serving after a minute")
	}
	var list api.Reports
	if !getList("http://"+addr+"/v1/reports", &list) ||
		len(list.Reports) != 3 {
		t.Fatalf("/v1/reports lists %d reports, want 3",
			len(list.Reports))
	}
	for _, r := range list.Reports {
		small := strings.HasPrefix(r.ID, "content-generation@1.")
		if r.Suppressed != small {
			t.Errorf("report %s: suppressed %v, want %v (only the small "+
				"cohort is private only)", r.ID, r.Suppressed, small)
		}
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo after interrupt: %v, want exit 0", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("demo still running 20 s after an interrupt")
	}
}

func getList(url string, out *api.Reports) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK &&
		json.NewDecoder(resp.Body).Decode(out) == nil
}

// TestDemoInterrupted interrupts the demo while it is still setting up
// and collecting: it stops at once, says so, and exits 0.
func TestDemoInterrupted(t *testing.T) {
	cmd := exec.Command(binPath, "demo", "--listen", freeAddr(t))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	time.Sleep(500 * time.Millisecond) // the default run takes seconds
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil || !strings.Contains(stderr.String(),
			"demo interrupted") {
			t.Errorf("demo interrupted mid-run: %v, stderr %q; want exit "+
				"0 saying so", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Error("demo still running 20 s after an interrupt")
	}
}
