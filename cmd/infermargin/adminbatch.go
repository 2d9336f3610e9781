package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/server"
	"github.com/infermargin/infermargin/server/api"
)

func accountsCommand(f *adminFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "accounts",
		Short: "Create, list and disable operator accounts",
		Long: "accounts manages the accounts that may call the admin " +
			"API. Roles: operator runs the node, founder decides " +
			"reassignments, auditor reads. Only a founder may create or " +
			"disable a founder account; the first one is made on the " +
			"node itself with infermargin aggregator account.",
		Example: "  infermargin admin accounts create bob --role operator " +
			"> bob.token\n  infermargin admin accounts list\n" +
			"  infermargin admin accounts disable bob --reason 'token leaked'",
		Args: cobra.NoArgs,
		RunE: group,
	}
	list := &cobra.Command{
		Use:     "list",
		Short:   "List the accounts and their roles",
		Example: "  infermargin admin accounts list",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			as, err := f.c.Accounts(cmd.Context())
			if err != nil {
				return fmt.Errorf("list accounts: %w", err)
			}
			return f.show(cmd, as, func(w io.Writer) { accountTable(w, as) })
		},
	}
	cmd.AddCommand(createAccountCommand(f), list, disableAccountCommand(f))
	return cmd
}

func accountTable(w io.Writer, as []api.Account) {
	fmt.Fprintln(w, "NAME\tROLES\tCREATED\tDISABLED")
	for _, a := range as {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", a.Name,
			strings.Join(a.Roles, ","), adminTime(a.CreatedAt),
			disabledTime(a))
	}
}

// disabledTime is when a was disabled, or "-" while it is active.
func disabledTime(a api.Account) string {
	if a.DisabledAt == nil {
		return "-"
	}
	return adminTime(*a.DisabledAt)
}

func disableAccountCommand(f *adminFlags) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "disable NAME",
		Short: "Disable an account for good, revoking its token",
		Long: "disable revokes an account's token, as when it leaked: the " +
			"node refuses it from then on. The account stays listed and " +
			"its name stays taken. Only a founder may disable a founder " +
			"account; an account may disable itself. The bootstrap " +
			"account, admin, is revoked by changing admin_token_sha256 in " +
			"the node's configuration instead.",
		Example: "  infermargin admin accounts disable bob " +
			"--reason 'token pasted in a chat'",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := server.CheckAccountName(name); err != nil {
				return err
			}
			if err := needReason(reason, "disabling an account"); err != nil {
				return err
			}
			a, err := f.c.DisableAccount(cmd.Context(), name, reason)
			if err != nil {
				return fmt.Errorf("disable account %s: %w", name, err)
			}
			return f.show(cmd, a, func(w io.Writer) {
				fmt.Fprintf(w, "account %s disabled at %s; its token is "+
					"refused from now on\n", a.Name, disabledTime(*a))
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the audit table")
	return cmd
}

func createAccountCommand(f *adminFlags) *cobra.Command {
	var req api.AccountRequest
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create an account and print its token, once",
		Long: "create makes an account with the given roles. Its token " +
			"is printed once, alone on standard output, so it can go " +
			"straight to a file; the node keeps only its hash.",
		Example: "  (umask 077; infermargin admin accounts create bob " +
			"--role operator,auditor > bob.token)",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Name = args[0]
			if err := server.CheckAccount(req.Name, req.Roles); err != nil {
				return err
			}
			a, err := f.c.CreateAccount(cmd.Context(), req)
			if err != nil {
				return fmt.Errorf("create account %s: %w", req.Name, err)
			}
			if f.json {
				return f.show(cmd, a, nil)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "account %s created with roles "+
				"%s; its token is shown once, on the next line of "+
				"standard output:\n", a.Name, strings.Join(a.Roles, ","))
			_, err = fmt.Fprintln(cmd.OutOrStdout(), a.Token)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&req.Roles, "role", nil, "roles, comma-separated: "+
		strings.Join(server.Roles, ", "))
	fl.StringVar(&req.Reason, "reason", "", "why, for the audit table")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func auditCommand(f *adminFlags) *cobra.Command {
	var after int64
	var limit int
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read the audit table",
		Long: "audit prints the node's append-only audit table: every " +
			"admin action with who, what, when and why. Page with " +
			"--after, the last SEQ seen.",
		Example: "  infermargin admin audit --after 120 --limit 50",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if after < 0 {
				return fmt.Errorf("--after %d: want 0 or more", after)
			}
			if limit < 0 || limit > 1000 {
				return fmt.Errorf("--limit %d: want 1 to 1000", limit)
			}
			es, err := f.c.Audit(cmd.Context(), after, limit)
			if err != nil {
				return fmt.Errorf("read audit: %w", err)
			}
			return f.show(cmd, es, func(w io.Writer) { auditTable(w, es) })
		},
	}
	cmd.Flags().Int64Var(&after, "after", 0, "only entries after this SEQ")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many; 100 if unset")
	return cmd
}

func auditTable(w io.Writer, es []api.AuditEntry) {
	fmt.Fprintln(w, "SEQ\tAT\tACTOR\tACTION\tTARGET\tREASON")
	for _, e := range es {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, adminTime(e.At),
			e.Actor, e.Action, orDash(e.Target), orDash(e.Reason))
	}
}

func batchesCommand(f *adminFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "batches",
		Short: "Open, close, aggregate and publish batches",
		Long: "batches drives a batch through its life. Open it on the " +
			"leader, which opens it on the helper first with the same " +
			"cohort version; close it on both nodes when the month's " +
			"uploads are in; then aggregate and publish on the leader. " +
			"A batch is named by its ref, cohort@version.YYYY-MM.vN.",
		Example: "  infermargin admin batches open support@3 --period 2026-03\n" +
			"  infermargin admin batches close support@3.2026-03.v1\n" +
			"  infermargin admin batches aggregate support@3.2026-03.v1\n" +
			"  infermargin admin batches publish support@3.2026-03.v1 " +
			"--tier private",
		Args: cobra.NoArgs,
		RunE: group,
	}
	cmd.AddCommand(openCommand(f))
	for _, a := range []string{"close", "aggregate", "publish"} {
		cmd.AddCommand(batchCommand(f, a))
	}
	return cmd
}

func openCommand(f *adminFlags) *cobra.Command {
	var b aggregation.BatchID
	var reason string
	cmd := &cobra.Command{
		Use:   "open COHORT@VERSION",
		Short: "Open a batch on both nodes, through the leader",
		Long: "open opens a batch for uploads. Call it on the leader: it " +
			"has the helper open the batch only if the helper holds the " +
			"same cohort version, then opens it itself. A cohort version " +
			"with fewer approved members than the private threshold " +
			"cannot open.",
		Example: "  infermargin admin batches open support@3 --period 2026-03",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b.Cohort = args[0]
			if err := b.Validate(); err != nil {
				return err
			}
			st, err := f.c.OpenBatch(cmd.Context(), b, reason)
			if err != nil {
				return fmt.Errorf("open %s: %w", api.Ref(b), err)
			}
			return f.show(cmd, st, func(w io.Writer) {
				fmt.Fprintf(w, "batch %s %s\n", st.Batch, st.State)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&b.Period, "period", "", "calendar month, YYYY-MM")
	fl.StringVar(&b.Methodology, "methodology", "v1", "methodology version")
	fl.StringVar(&reason, "reason", "", "why, for the audit table")
	_ = cmd.MarkFlagRequired("period")
	return cmd
}

var batchShort = map[string]string{
	"close":     "End uploads to a batch on this node",
	"aggregate": "Run the leader's aggregation jobs over a closed batch",
	"publish":   "Publish a batch's result for a tier, on the leader",
}

func batchCommand(f *adminFlags, action string) *cobra.Command {
	var tier, reason string
	cmd := &cobra.Command{
		Use:   action + " REF",
		Short: batchShort[action],
		Example: "  infermargin admin batches " + action +
			" support@3.2026-03.v1",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := api.ParseRef(args[0])
			if err != nil {
				return err
			}
			t, err := api.ParseTier(tier)
			if err != nil {
				return fmt.Errorf("--tier: %w", err)
			}
			return runBatch(cmd, f, action, b, t, reason)
		},
	}
	if action == "publish" {
		cmd.Flags().StringVar(&tier, "tier", "public", "public or private")
	} else {
		tier = "public"
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the audit table")
	return cmd
}

func runBatch(cmd *cobra.Command, f *adminFlags, action string,
	b aggregation.BatchID, t aggregation.Tier, reason string) error {
	ctx := cmd.Context()
	var v any
	var text func(w io.Writer)
	switch action {
	case "close":
		st, err := f.c.CloseBatch(ctx, b, reason)
		if err != nil {
			return fmt.Errorf("close %s: %w", api.Ref(b), err)
		}
		v, text = st, func(w io.Writer) {
			fmt.Fprintf(w, "batch %s %s\n", st.Batch, st.State)
		}
	case "aggregate":
		st, err := f.c.Aggregate(ctx, b, reason)
		if err != nil {
			return fmt.Errorf("aggregate %s: %w", api.Ref(b), err)
		}
		v, text = st, func(w io.Writer) {
			fmt.Fprintf(w, "batch %s: %d jobs, %d reports accepted, %d "+
				"rejected\n", api.Ref(b), st.Jobs, st.Accepted, st.Rejected)
		}
	default:
		r, err := f.c.Publish(ctx, b, t, reason)
		if err != nil {
			return fmt.Errorf("publish %s: %w", api.Ref(b), err)
		}
		v, text = r, func(w io.Writer) { reportText(w, r) }
	}
	return f.show(cmd, v, text)
}

func reportText(w io.Writer, r *api.Report) {
	fmt.Fprintf(w, "published %s, %s tier, methodology %s\n", r.ID, r.Tier,
		r.Methodology.Version)
	if s := r.Summary(); s.Suppressed {
		fmt.Fprintf(w, "suppressed: %s\n", s.Reason)
		return
	}
	fmt.Fprintf(w, "%d reports\n", r.Count)
	for _, m := range r.Metrics {
		fmt.Fprintf(w, "%s\t%s\n", m.Name, m.Text())
	}
}
