package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
)

func enrollmentsCommand(f *adminFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "enrollments",
		Short: "List, approve or reject companies' enrollments",
		Long: "enrollments shows the companies that asked to take part " +
			"and decides on them. A node accepts nothing from a company " +
			"until its operator approves the company's enrollment; " +
			"approval assigns it to cohorts by its answers.",
		Example: "  infermargin admin enrollments list --state pending\n" +
			"  infermargin admin enrollments approve acme --reason 'checked'\n" +
			"  infermargin admin enrollments reject spamco --reason 'unknown'",
		Args: cobra.NoArgs,
		RunE: group,
	}
	list := stateListCommand(f, "enrollments", "enrollments",
		f.enrollments, enrollmentTable)
	cmd.AddCommand(list, decideCommand(f, true), decideCommand(f, false))
	return cmd
}

func enrollmentTable(w io.Writer, es []api.Enrollment) {
	if len(es) == 0 {
		fmt.Fprintln(w, "no enrollments")
		return
	}
	fmt.Fprintln(w, "COMPANY\tSTATE\tUSE CASE\tARR\tTEAM\tKEY ID\t"+
		"SUBMITTED\tDECIDED BY\tREASON")
	for _, e := range es {
		a := e.Answers
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Company,
			e.State, a.UseCase, a.ARRBand, a.TeamSize, e.KeyID,
			adminTime(e.SubmittedAt), orDash(e.DecidedBy), orDash(e.Reason))
	}
}

func decideCommand(f *adminFlags, approve bool) *cobra.Command {
	verb, past := "reject", "rejected"
	why := "A rejection must give a reason: the company and the audit " +
		"table read it."
	if approve {
		verb, past = "approve", "approved"
		why = "Approval assigns each company to the cohorts its answers " +
			"match, making new cohort versions."
	}
	var reason string
	cmd := &cobra.Command{
		Use:   verb + " COMPANY...",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " pending enrollments",
		Long: verb + " decides the named pending enrollments, all of " +
			"them or none. " + why,
		Example: "  infermargin admin enrollments " + verb +
			" acme globex --reason 'verified by phone'",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !approve {
				if err := needReason(reason, "a rejection"); err != nil {
					return err
				}
			}
			decide := f.c.RejectEnrollments
			if approve {
				decide = f.c.ApproveEnrollments
			}
			d, err := decide(cmd.Context(), args, reason)
			if err != nil {
				return fmt.Errorf("%s enrollments: %w", verb, err)
			}
			return f.show(cmd, d, func(w io.Writer) {
				fmt.Fprintf(w, "%s %d: %s\n", past, len(args),
					strings.Join(args, ", "))
				decidedTable(w, d)
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the audit table")
	return cmd
}

// decidedTable lists the cohort versions a decision made.
func decidedTable(w io.Writer, d *api.Decided) {
	if len(d.Cohorts) == 0 {
		fmt.Fprintln(w, "no cohort's members changed")
		return
	}
	fmt.Fprintln(w, "new cohort versions:")
	cohortTable(w, d.Cohorts)
}

func cohortTable(w io.Writer, cs []api.Cohort) {
	fmt.Fprintln(w, "COHORT\tMEMBERS\tCRITERIA\tDIGEST")
	for _, c := range cs {
		fmt.Fprintf(w, "%s\t%d\t%s\t%s...\n", c.Ref, len(c.Members),
			c.Criteria, c.Digest[:min(16, len(c.Digest))])
	}
}

func cohortsCommand(f *adminFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cohorts",
		Short: "List, show or define cohorts",
		Long: "cohorts shows cohort versions and defines new cohorts. A " +
			"cohort's criteria never change; its members are the " +
			"approved companies whose answers match, and each change of " +
			"members makes a new, immutable version.",
		Example: "  infermargin admin cohorts list\n" +
			"  infermargin admin cohorts show support --version 2\n" +
			"  infermargin admin cohorts define support-small " +
			"--use-case customer_support --arr-band '<1M'",
		Args: cobra.NoArgs,
		RunE: group,
	}
	list := &cobra.Command{
		Use:     "list",
		Short:   "List the latest version of every cohort",
		Example: "  infermargin admin cohorts list",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cs, err := f.c.Cohorts(cmd.Context())
			if err != nil {
				return fmt.Errorf("list cohorts: %w", err)
			}
			return f.show(cmd, cs, func(w io.Writer) {
				if len(cs) == 0 {
					fmt.Fprintln(w, "no cohorts")
					return
				}
				cohortTable(w, cs)
			})
		},
	}
	cmd.AddCommand(list, showCohortCommand(f), defineCohortCommand(f))
	return cmd
}

func showCohortCommand(f *adminFlags) *cobra.Command {
	var version int
	cmd := &cobra.Command{
		Use:     "show ID",
		Short:   "Show a cohort version and its members",
		Example: "  infermargin admin cohorts show support --version 2",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkCohortID(args[0]); err != nil {
				return err
			}
			if version < 0 {
				return fmt.Errorf("--version %d: want 1 or more", version)
			}
			co, err := f.c.Cohort(cmd.Context(), args[0], version)
			if err != nil {
				return fmt.Errorf("show cohort %s: %w", args[0], err)
			}
			return f.show(cmd, co, func(w io.Writer) { cohortText(w, co) })
		},
	}
	cmd.Flags().IntVar(&version, "version", 0, "version; the latest if unset")
	return cmd
}

func checkCohortID(id string) error {
	if aggregation.CheckCohortID(id) != nil {
		return fmt.Errorf("cohort id %q: want at most 63 lowercase "+
			"letters, digits, '-' and '_', not starting with '-' or '_'", id)
	}
	return nil
}

func cohortText(w io.Writer, c *api.Cohort) {
	fmt.Fprintf(w, "cohort\t%s\ncriteria\t%s\ndigest\t%s\nmembers\t%d\n",
		c.Ref, c.Criteria, c.Digest, len(c.Members))
	for _, m := range c.Members {
		fmt.Fprintf(w, "\t%s\n", m)
	}
}

func defineCohortCommand(f *adminFlags) *cobra.Command {
	var crit methodology.Criteria
	var reason string
	cmd := &cobra.Command{
		Use:   "define ID",
		Short: "Define a cohort by primary use case and ARR band",
		Long: "define creates a cohort and its version 1 from the " +
			"approved companies that match. Its criteria never change.",
		Example: "  infermargin admin cohorts define support " +
			"--use-case customer_support",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkCohortID(args[0]); err != nil {
				return err
			}
			co, err := f.c.DefineCohort(cmd.Context(), api.CohortDefinition{
				ID: args[0], Criteria: crit, Reason: reason})
			if err != nil {
				return fmt.Errorf("define cohort %s: %w", args[0], err)
			}
			return f.show(cmd, co, func(w io.Writer) {
				fmt.Fprintf(w, "defined %s (%s) with %d members\n", co.Ref,
					co.Criteria, len(co.Members))
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&crit.UseCase, "use-case", "", "primary use case id")
	fl.StringVar(&crit.ARRBand, "arr-band", "", "ARR band id; any if unset")
	fl.StringVar(&reason, "reason", "", "why, for the audit table")
	_ = cmd.MarkFlagRequired("use-case")
	return cmd
}

func reassignmentsCommand(f *adminFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reassignments",
		Short: "Request, list and decide cohort reassignments",
		Long: "reassignments changes a company's primary use case or ARR " +
			"band, and so its cohorts. An operator requests it with a " +
			"written rationale; it takes effect only when an account " +
			"with the founder role, not the requester, approves it. " +
			"Batches already open keep the cohort versions they opened " +
			"with.",
		Example: "  infermargin admin reassignments request acme " +
			"--use-case coding_assistant --rationale 'pivoted in May'\n" +
			"  infermargin admin reassignments list --state pending\n" +
			"  infermargin admin reassignments approve 4",
		Args: cobra.NoArgs,
		RunE: group,
	}
	list := stateListCommand(f, "reassignments", "reassignment requests",
		f.reassignments, reassignmentTable)
	cmd.AddCommand(requestCommand(f), list, reassignCommand(f, true),
		reassignCommand(f, false))
	return cmd
}

func reassignmentTable(w io.Writer, rs []api.Reassignment) {
	if len(rs) == 0 {
		fmt.Fprintln(w, "no reassignment requests")
		return
	}
	fmt.Fprintln(w, "ID\tCOMPANY\tTO USE CASE\tTO ARR\tSTATE\t"+
		"REQUESTED BY\tDECIDED BY\tRATIONALE")
	for _, r := range rs {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Company,
			r.To.UseCase, r.To.ARRBand, r.State, r.RequestedBy,
			orDash(r.DecidedBy), r.Rationale)
	}
}

func requestCommand(f *adminFlags) *cobra.Command {
	var req api.ReassignmentRequest
	cmd := &cobra.Command{
		Use:   "request COMPANY",
		Short: "Ask to change a company's use case or ARR band",
		Example: "  infermargin admin reassignments request acme " +
			"--arr-band 1-5M --rationale 'ARR grew past $1M'",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Company = args[0]
			if err := checkRequest(&req); err != nil {
				return err
			}
			r, err := f.c.RequestReassignment(cmd.Context(), req)
			if err != nil {
				return fmt.Errorf("request reassignment of %s: %w",
					req.Company, err)
			}
			return f.show(cmd, r, func(w io.Writer) {
				fmt.Fprintf(w, "reassignment %d of %s to %s, ARR %s: "+
					"pending a founder's approval\n", r.ID, r.Company,
					r.To.UseCase, r.To.ARRBand)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&req.UseCase, "use-case", "", "new primary use case id")
	fl.StringVar(&req.ARRBand, "arr-band", "", "new ARR band id")
	fl.StringVar(&req.Rationale, "rationale", "", "why, in words (required)")
	return cmd
}

func checkRequest(r *api.ReassignmentRequest) error {
	if err := aggregation.CheckCompany(r.Company); err != nil {
		return err
	}
	if r.UseCase == "" && r.ARRBand == "" {
		return errors.New("name --use-case or --arr-band, or both: a " +
			"reassignment changes at least one")
	}
	if strings.TrimSpace(r.Rationale) == "" {
		return errors.New("--rationale: required: a reassignment needs " +
			"a written rationale")
	}
	return nil
}

func reassignCommand(f *adminFlags, approve bool) *cobra.Command {
	verb, past := "reject", "rejected"
	if approve {
		verb, past = "approve", "approved"
	}
	var reason string
	cmd := &cobra.Command{
		Use:   verb + " ID",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " a reassignment request",
		Long: verb + " decides a pending reassignment request. It needs " +
			"an account with the founder role; a founder may not approve " +
			"a request they made.",
		Example: "  infermargin admin reassignments " + verb +
			" 4 --reason 'confirmed with the company'",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id < 1 {
				return fmt.Errorf("reassignment id %q: want a positive "+
					"number, as reassignments list shows", args[0])
			}
			if !approve {
				if err := needReason(reason, "a rejection"); err != nil {
					return err
				}
			}
			decide := f.c.RejectReassignment
			if approve {
				decide = f.c.ApproveReassignment
			}
			d, err := decide(cmd.Context(), id, reason)
			if err != nil {
				return fmt.Errorf("%s reassignment %d: %w", verb, id, err)
			}
			return f.show(cmd, d, func(w io.Writer) {
				fmt.Fprintf(w, "reassignment %d %s\n", id, past)
				decidedTable(w, d)
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the audit table")
	return cmd
}

// stateListCommand is the list subcommand of a group whose entries
// are pending, approved or rejected: `infermargin admin GROUP list
// [--state S]`, shown by table or as JSON.
func stateListCommand[T any](f *adminFlags, group, what string,
	fetch func(ctx context.Context, state string) ([]T, error),
	table func(io.Writer, []T)) *cobra.Command {
	var state string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List " + what + ", oldest first",
		Example: "  infermargin admin " + group + " list --state pending",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := stateFlag(state); err != nil {
				return err
			}
			es, err := fetch(cmd.Context(), state)
			if err != nil {
				return fmt.Errorf("list %s: %w", group, err)
			}
			return f.show(cmd, es, func(w io.Writer) { table(w, es) })
		},
	}
	cmd.Flags().StringVar(&state, "state", "",
		"only pending, approved or rejected")
	return cmd
}

// enrollments and reassignments call the client f holds once flags
// are parsed.
func (f *adminFlags) enrollments(ctx context.Context, state string) (
	[]api.Enrollment, error) {
	return f.c.Enrollments(ctx, state)
}

func (f *adminFlags) reassignments(ctx context.Context, state string) (
	[]api.Reassignment, error) {
	return f.c.Reassignments(ctx, state)
}
