// Package node assembles one aggregator node from its configuration:
// keys from disk, secrets from their references, the store, the
// aggregator, and for the leader the publisher and the helper as its
// peer. `infermargin aggregator` and `infermargin demo` both build their
// nodes here, so the demo runs the same code as production.
//
// It does not serve HTTP itself beyond Run, and it holds no protocol
// logic.
package node

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/infermargin/infermargin/aggregation"
)

// Config is a node's configuration file, in TOML. Secrets appear only
// as references (env://NAME, file:///path); tokens the node accepts
// appear only as SHA-256 hashes.
type Config struct {
	// Role is "leader" or "helper".
	Role string `toml:"role"`
	// Listen is the address to serve on; empty means 127.0.0.1:8080.
	Listen string `toml:"listen"`
	// Methodology is the methodology version; empty means "v1".
	Methodology string `toml:"methodology"`
	// DataDir holds the node's keys and, without DatabaseURL, its
	// SQLite database.
	DataDir string `toml:"data_dir"`
	// DatabaseURL is a PostgreSQL URL reference (env:// or file://,
	// since it carries a password). Empty means SQLite in DataDir.
	DatabaseURL string `toml:"database_url"`
	// Instance names this replica in job leases; empty means the host
	// name.
	Instance string `toml:"instance"`
	// JobSize is reports per aggregation job; zero means 100.
	JobSize int `toml:"job_size"`
	// JobLease is how long a replica holds a job; empty means "1m".
	JobLease string `toml:"job_lease"`
	// VerifyKey references the Prio3 verification key, 64 hex digits,
	// the same on both nodes.
	VerifyKey string `toml:"verify_key"`
	// AdminTokenSHA256 is the hash of the bearer token of the bootstrap
	// operator account, "admin", with the operator role. Other
	// accounts live in the store.
	AdminTokenSHA256 string `toml:"admin_token_sha256"`
	// PeerTokenSHA256 (helper) is the hash of the leader's token.
	PeerTokenSHA256 string `toml:"peer_token_sha256"`
	// PublisherKey (helper) is the path of the publisher's public key,
	// which the helper encrypts its aggregate shares to. The leader
	// hosts the publisher and reads its own.
	PublisherKey string `toml:"publisher_key"`
	// Peer (leader) is how the leader reaches the helper.
	Peer PeerConfig `toml:"peer"`
}

// PeerConfig is the leader's view of the helper.
type PeerConfig struct {
	URL string `toml:"url"`
	// Token references the bearer token the leader presents.
	Token string `toml:"token"`
	// StatementKey is the path of the helper's public statement key.
	StatementKey string `toml:"statement_key"`
}

// LoadConfig reads a configuration file, refusing keys it does not
// know, so a misspelt setting is an error and not a silent default.
func LoadConfig(path string) (*Config, error) {
	var c Config
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		return nil, fmt.Errorf("config %s: unknown setting %q", path,
			u[0].String())
	}
	return &c, nil
}

// Validate fills defaults and checks every setting, naming the first
// that is wrong.
func (c *Config) Validate() error {
	role, err := aggregation.ParseRole(c.Role)
	if err != nil {
		return fmt.Errorf("config role: %w", err)
	}
	c.defaults()
	if c.DataDir == "" {
		return errors.New("config data_dir: required")
	}
	if _, err := time.ParseDuration(c.JobLease); err != nil {
		return fmt.Errorf("config job_lease %q: %w", c.JobLease, err)
	}
	if c.VerifyKey == "" {
		return errors.New("config verify_key: required (a secret " +
			"reference such as file:///etc/infermargin/verify.key)")
	}
	if _, err := parseHash("admin_token_sha256",
		c.AdminTokenSHA256); err != nil {
		return err
	}
	if role == aggregation.Helper {
		if c.PublisherKey == "" {
			return errors.New("config publisher_key: the helper needs " +
				"the publisher's public key")
		}
		_, err := parseHash("peer_token_sha256", c.PeerTokenSHA256)
		return err
	}
	switch {
	case c.Peer.URL == "":
		return errors.New("config peer.url: the leader needs the helper's URL")
	case c.Peer.Token == "":
		return errors.New("config peer.token: required (a secret reference)")
	case c.Peer.StatementKey == "":
		return errors.New("config peer.statement_key: required")
	}
	return nil
}

func (c *Config) defaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.Methodology == "" {
		c.Methodology = "v1"
	}
	if c.JobLease == "" {
		c.JobLease = "1m"
	}
	if c.JobSize == 0 {
		c.JobSize = 100
	}
	if c.Instance == "" {
		c.Instance, _ = os.Hostname()
	}
}

func parseHash(name, s string) ([32]byte, error) {
	var h [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("config %s: want 64 hex digits, the "+
			"SHA-256 of the token (infermargin aggregator token prints it)",
			name)
	}
	copy(h[:], b)
	return h, nil
}

// Key file names in a node's data directory.
const (
	KEKFile          = "kek.json"
	ShareKeyFile     = "share.key"
	SharePubFile     = "share.pub"
	StatementKeyFile = "statement.key"
	StatementPubFile = "statement.pub"
	PublisherKeyFile = "publisher.key"
	PublisherPubFile = "publisher.pub"
	DatabaseFile     = "node.db"
)

func (c *Config) path(name string) string {
	return filepath.Join(c.DataDir, name)
}
