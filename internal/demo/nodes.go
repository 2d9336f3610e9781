package demo

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server/node"
)

// nodePair is a leader and a helper serving on loopback, each with its
// own data directory and SQLite store, wired exactly as two operators
// would wire them: keys on disk, secrets behind file:// references,
// only token hashes in the configs.
type nodePair struct {
	nodes  [2]*node.Node
	urls   [2]string
	dirs   [2]string // data directories, holding the public keys
	errs   chan error
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startPair(ctx context.Context, dir, listen string,
	log *slog.Logger) (*nodePair, error) {
	p := &nodePair{errs: make(chan error, 2)}
	ctx, p.cancel = context.WithCancel(ctx)
	var lns [2]net.Listener
	fail := func(err error) (*nodePair, error) {
		for _, ln := range lns {
			if ln != nil {
				ln.Close() // a served one is closed already; no matter
			}
		}
		p.close()
		return nil, err
	}
	cfgs, err := node.LocalConfigs(dir)
	if err != nil {
		return fail(err)
	}
	for role, addr := range []string{listen, "127.0.0.1:0"} {
		if lns[role], err = net.Listen("tcp", addr); err != nil {
			return fail(fmt.Errorf("listen on %s: %w", addr, err))
		}
		p.urls[role] = "http://" + lns[role].Addr().String()
	}
	cfgs[aggregation.Leader].Peer.URL = p.urls[aggregation.Helper]
	for _, role := range []aggregation.Role{aggregation.Helper,
		aggregation.Leader} {
		if err := p.start(ctx, role, cfgs[role], lns[role], log); err != nil {
			return fail(err)
		}
	}
	return p, nil
}

func (p *nodePair) start(ctx context.Context, role aggregation.Role,
	c *node.Config, ln net.Listener, log *slog.Logger) error {
	n, err := node.Build(ctx, c, log, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", role, err)
	}
	p.nodes[role] = n
	p.dirs[role] = c.DataDir
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.errs <- n.Run(ctx, ln)
	}()
	return nil
}

// close stops both servers, waits for requests in flight, then closes
// the stores, so no request ever meets a closed store.
func (p *nodePair) close() {
	p.cancel()
	p.wg.Wait()
	for _, n := range p.nodes {
		if n != nil {
			n.Close()
		}
	}
}
