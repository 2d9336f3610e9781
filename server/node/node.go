package node

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/client/secrets"
	"github.com/infermargin/infermargin/crypto/vdaf"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server"
	"github.com/infermargin/infermargin/server/store"
	"github.com/infermargin/infermargin/server/store/postgres"
	"github.com/infermargin/infermargin/server/store/sqlite"
)

// Node is a built aggregator node.
type Node struct {
	*server.Server
	Role  aggregation.Role
	Store store.Store
	cfg   *Config
}

// Build assembles a node from a validated configuration.
func Build(ctx context.Context, c *Config, log *slog.Logger,
	reg *prometheus.Registry) (*Node, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	role, _ := aggregation.ParseRole(c.Role)
	m, err := methodology.Load(c.Methodology)
	if err != nil {
		return nil, err
	}
	k, err := loadKeys(c, role)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return nil, err
	}
	n := &Node{Role: role, Store: st, cfg: c}
	if n.Server, err = assemble(ctx, c, role, m, k, st, log, reg); err != nil {
		st.Close()
		return nil, err
	}
	return n, nil
}

// OpenStore opens the store a validated configuration names, as the
// node would, for the node's own command-line tools.
func OpenStore(ctx context.Context, c *Config) (store.Store, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return openStore(ctx, c)
}

func openStore(ctx context.Context, c *Config) (store.Store, error) {
	if c.DatabaseURL == "" {
		return sqlite.Open(ctx, c.path(DatabaseFile))
	}
	url, err := secrets.Resolve(ctx, c.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("config database_url: %w", err)
	}
	return postgres.Open(ctx, url)
}

func assemble(ctx context.Context, c *Config, role aggregation.Role,
	m *methodology.Methodology, k *nodeKeys, st store.Store,
	log *slog.Logger, reg *prometheus.Registry) (*server.Server, error) {
	vk, err := verifyKey(ctx, c.VerifyKey)
	if err != nil {
		return nil, err
	}
	lease, _ := time.ParseDuration(c.JobLease)
	acfg := aggregation.Config{Role: role, Methodology: m, VerifyKey: vk,
		ShareKey: k.share, StatementKey: k.statement,
		Companies: server.NewDirectory(st), Store: st,
		Instance: c.Instance, JobLease: lease}
	scfg := server.Config{Store: st, Methodology: m, JobSize: c.JobSize,
		Logger:   log.With(slog.String("role", role.String())),
		Registry: reg}
	scfg.AdminToken, _ = parseHash("admin_token_sha256", c.AdminTokenSHA256)
	if role == aggregation.Helper {
		scfg.PeerToken, _ = parseHash("peer_token_sha256", c.PeerTokenSHA256)
		if acfg.PublisherKey, err = ReadShareKey(c.PublisherKey); err != nil {
			return nil, fmt.Errorf("config publisher_key: %w", err)
		}
	} else if err := leader(ctx, c, m, k, &acfg, &scfg); err != nil {
		return nil, err
	}
	if scfg.Aggregator, err = aggregation.NewAggregator(acfg); err != nil {
		return nil, err
	}
	return server.New(scfg)
}

// leader wires what only the leader has: the helper as its peer and
// the publisher, which trusts both nodes' statement keys.
func leader(ctx context.Context, c *Config, m *methodology.Methodology,
	k *nodeKeys, acfg *aggregation.Config, scfg *server.Config) error {
	token, err := secrets.Resolve(ctx, c.Peer.Token)
	if err != nil {
		return fmt.Errorf("config peer.token: %w", err)
	}
	helper, err := ReadStatementKey(c.Peer.StatementKey)
	if err != nil {
		return fmt.Errorf("config peer.statement_key: %w", err)
	}
	own, err := k.statement.Verifier()
	if err != nil {
		return err
	}
	if acfg.PublisherKey, err = k.publisher.Public(); err != nil {
		return err
	}
	acfg.PeerStatementKey = helper
	scfg.Peer = server.NewPeer(c.Peer.URL, token, nil)
	scfg.Publisher, err = aggregation.NewPublisher(m, k.publisher, own,
		helper)
	return err
}

func verifyKey(ctx context.Context, ref string) (vdaf.VerifyKey, error) {
	var vk vdaf.VerifyKey
	s, err := secrets.Resolve(ctx, ref)
	if err != nil {
		return vk, fmt.Errorf("config verify_key: %w", err)
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(vk) {
		return vk, fmt.Errorf("config verify_key %q: want %d hex digits",
			ref, 2*len(vk))
	}
	copy(vk[:], b)
	return vk, nil
}

// Run serves the node on ln until ctx ends, then shuts down gracefully,
// letting requests in flight finish for up to ten seconds.
func (n *Node) Run(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: n.Server, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: time.Minute, WriteTimeout: 2 * time.Minute,
		IdleTimeout: 2 * time.Minute}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := hs.Shutdown(sctx)
	if e := <-done; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}

// Close closes the node's store.
func (n *Node) Close() error { return n.Store.Close() }
