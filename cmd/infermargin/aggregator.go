package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server"
	"github.com/infermargin/infermargin/server/node"
)

func aggregatorCommand() *cobra.Command {
	var path string
	var over node.Config
	cmd := &cobra.Command{
		Use:   "aggregator",
		Short: "Serve one aggregator node, leader or helper",
		Long: "aggregator serves one of the two aggregator nodes: the " +
			"upload endpoint, the leader-helper protocol, the operator's " +
			"admin endpoints and, on the leader, the public read API. " +
			"Settings come from a TOML file; flags override it. Secrets " +
			"are references (env://NAME, file:///path), never values.",
		Example: "  infermargin aggregator keys --role leader --dir /var/lib/im\n" +
			"  infermargin aggregator --config leader.toml\n" +
			"  infermargin aggregator --config helper.toml --listen :9090",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := &node.Config{}
			if path != "" {
				var err error
				if c, err = node.LoadConfig(path); err != nil {
					return err
				}
			}
			override(cmd, c, &over)
			return serve(cmd.Context(), c)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&path, "config", "", "TOML configuration file")
	fl.StringVar(&over.Role, "role", "", "leader or helper")
	fl.StringVar(&over.Listen, "listen", "", "address to serve on")
	fl.StringVar(&over.DataDir, "data", "", "directory of keys and SQLite")
	fl.StringVar(&over.DatabaseURL, "database-url", "",
		"reference (env:// or file://) to a PostgreSQL URL")
	fl.StringVar(&over.Instance, "instance", "", "replica name in job leases")
	cmd.AddCommand(keysCommand(), tokenCommand(), accountCommand())
	return cmd
}

// override applies the flags given on the command line over the file.
func override(cmd *cobra.Command, c, f *node.Config) {
	set := map[string]*string{"role": &c.Role, "listen": &c.Listen,
		"data": &c.DataDir, "database-url": &c.DatabaseURL,
		"instance": &c.Instance}
	from := map[string]string{"role": f.Role, "listen": f.Listen,
		"data": f.DataDir, "database-url": f.DatabaseURL,
		"instance": f.Instance}
	for name, dst := range set {
		if cmd.Flags().Changed(name) {
			*dst = from[name]
		}
	}
}

func serve(ctx context.Context, c *node.Config) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	n, err := node.Build(ctx, c, log, nil)
	if err != nil {
		return err
	}
	defer n.Close()
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return err
	}
	log.Info("serving", slog.String("role", c.Role),
		slog.String("addr", ln.Addr().String()))
	return n.Run(ctx, ln)
}

func keysCommand() *cobra.Command {
	var dir, role string
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Create a node's keys in its data directory",
		Long: "keys creates the node's HPKE share key, its statement " +
			"signing key and, for the leader, the publisher key, each " +
			"private keyset encrypted under a local key-encryption key " +
			"(kek.json, mode 0600). The .pub files are for the other " +
			"parties. It never overwrites a key.",
		Example: "  infermargin aggregator keys --role helper --dir ./helper",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := aggregation.ParseRole(role)
			if err != nil {
				return err
			}
			if err := node.GenerateKeys(dir, r); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "keys for the %s written to %s\n",
				r, dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "data directory (created)")
	cmd.Flags().StringVar(&role, "role", "", "leader or helper")
	_ = cmd.MarkFlagRequired("dir")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func tokenCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "token",
		Short: "Make a bearer token and the hash a node's config holds",
		Long: "token prints a new random bearer token and its SHA-256. " +
			"Give the token to the caller (the operator, or the leader " +
			"through a secret reference) and put only the hash in the " +
			"receiving node's config.",
		Example: "  infermargin aggregator token",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := newToken()
			if err != nil {
				return err
			}
			h := server.HashToken(t)
			fmt.Fprintf(cmd.OutOrStdout(), "token   %s\nsha256  %s\n", t,
				hex.EncodeToString(h[:]))
			return nil
		},
	}
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
