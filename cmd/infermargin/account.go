package main

import (
	"fmt"
	"os/user"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/infermargin/infermargin/server"
	"github.com/infermargin/infermargin/server/node"
	"github.com/infermargin/infermargin/server/store"
)

// accountCommand creates an operator account straight in the node's
// store. It is how the first founder account comes to be: over the API,
// only a founder may grant that role. Whoever runs it can read the
// node's configuration and database already; the audit table names
// them as "local:" and their user name.
func accountCommand() *cobra.Command {
	var path, name, roles, reason string
	cmd := &cobra.Command{
		Use:   "account",
		Short: "Create an operator account in the node's own store",
		Long: "account creates an operator account with the given roles " +
			"directly in the node's store and prints its bearer token " +
			"once; the node keeps only the token's SHA-256. Use it for " +
			"the first founder account; later accounts can be created " +
			"over the admin API.",
		Example: "  infermargin aggregator account --config leader.toml " +
			"--name ada --roles founder \\\n" +
			"      --reason 'first founder account'",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := node.LoadConfig(path)
			if err != nil {
				return err
			}
			token, acct, err := server.NewAccount(name,
				strings.Split(roles, ","), time.Now())
			if err != nil {
				return err
			}
			st, err := node.OpenStore(cmd.Context(), c)
			if err != nil {
				return err
			}
			defer st.Close()
			err = st.PutAccount(cmd.Context(), acct, &store.AuditEntry{
				At: acct.CreatedAt, Actor: localActor(),
				Action: "account.create", Target: name, Reason: reason})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "account %s (%s) created; its "+
				"token, shown once:\n%s\n", name, roles, token)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&path, "config", "", "the node's TOML configuration")
	fl.StringVar(&name, "name", "", "account name")
	fl.StringVar(&roles, "roles", "", "comma-separated roles: "+
		strings.Join(server.Roles, ", "))
	fl.StringVar(&reason, "reason", "", "why, for the audit table")
	for _, f := range []string{"config", "name", "roles"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}

// localActor names who ran a node-local command, for the audit table.
func localActor() string {
	u, err := user.Current()
	if err != nil {
		return "local:unknown"
	}
	return "local:" + u.Username
}
