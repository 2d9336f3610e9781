package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/infermargin/infermargin/server/adminclient"
)

// adminFlags are the flags of every admin subcommand: which node, whose
// account, and the output format.
type adminFlags struct {
	node      string
	tokenFile string
	json      bool
	c         *adminclient.Client // set once the flags are checked
}

func adminCommand() *cobra.Command {
	f := &adminFlags{}
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Run a node's governance: enrollments, cohorts, accounts",
		Long: "admin calls one aggregator node's admin API with an " +
			"operator account's token: it approves or rejects " +
			"enrollments, defines cohorts, requests and decides " +
			"reassignments, creates accounts, reads the audit table and " +
			"drives batches. Each node is governed on its own: run the " +
			"same decision against both. The token is read from a file " +
			"only readable by its owner, never from the command line.",
		Example: "  export INFERMARGIN_NODE=https://leader.example:8080\n" +
			"  export INFERMARGIN_TOKEN_FILE=~/.infermargin/leader.token\n" +
			"  infermargin admin enrollments list --state pending\n" +
			"  infermargin admin enrollments approve acme globex\n" +
			"  infermargin admin batches open support@3 --period 2026-03",
		Args: cobra.NoArgs,
		RunE: group,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.HasSubCommands() {
				return nil // it only shows its help
			}
			var err error
			f.c, err = f.client()
			return err
		},
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.node, "node", os.Getenv("INFERMARGIN_NODE"),
		"the node's base URL (env INFERMARGIN_NODE)")
	pf.StringVar(&f.tokenFile, "token-file",
		os.Getenv("INFERMARGIN_TOKEN_FILE"), "file holding the account's "+
			"token, mode 0600 (env INFERMARGIN_TOKEN_FILE)")
	pf.BoolVar(&f.json, "json", false, "print the node's JSON answer")
	cmd.AddCommand(enrollmentsCommand(f), cohortsCommand(f),
		reassignmentsCommand(f), accountsCommand(f), auditCommand(f),
		batchesCommand(f))
	return cmd
}

// group is the RunE of a command that only groups others: alone, it
// shows its help, and its cobra.NoArgs refuses an unknown subcommand.
func group(cmd *cobra.Command, _ []string) error { return cmd.Help() }

// client checks the flags and reads the token. It runs before each
// subcommand, which checks its own arguments before it sends anything.
func (f *adminFlags) client() (*adminclient.Client, error) {
	if f.node == "" {
		return nil, errors.New("--node: required, or set INFERMARGIN_NODE")
	}
	u, err := url.Parse(f.node)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") ||
		u.Host == "" {
		return nil, fmt.Errorf("--node %q: want a URL like "+
			"https://host:port", f.node)
	}
	if f.tokenFile == "" {
		return nil, errors.New("--token-file: required, or set " +
			"INFERMARGIN_TOKEN_FILE")
	}
	tok, err := readToken(f.tokenFile)
	if err != nil {
		return nil, err
	}
	return &adminclient.Client{URL: f.node, Token: tok}, nil
}

// readToken reads an account token from a file that only its owner may
// read: a token anyone on the machine can read is anyone's.
func readToken(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	if p := fi.Mode().Perm(); p&0o077 != 0 {
		return "", fmt.Errorf("token file %s: mode %04o lets others read "+
			"it; run chmod 600 %s", path, p, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token file %s: empty", path)
	}
	return tok, nil
}

// show prints v as JSON with --json, and otherwise as text through a
// tabwriter, for tables.
func (f *adminFlags) show(cmd *cobra.Command, v any,
	text func(w io.Writer)) error {
	out := cmd.OutOrStdout()
	if f.json {
		e := json.NewEncoder(out)
		e.SetIndent("", "  ")
		return e.Encode(v)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	text(tw)
	return tw.Flush()
}

// stateFlag checks a --state value before it is sent.
func stateFlag(s string) error {
	switch s {
	case "", "pending", "approved", "rejected":
		return nil
	}
	return fmt.Errorf("--state %q: want pending, approved or rejected", s)
}

// needReason refuses an empty --reason where a decision must say why.
func needReason(reason, what string) error {
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("--reason: required: %s must say why, for the "+
			"audit table", what)
	}
	return nil
}

func adminTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
