package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/infermargin/infermargin/client/collect"
	"github.com/infermargin/infermargin/client/enroll"
	"github.com/infermargin/infermargin/methodology"
	"github.com/infermargin/infermargin/server/api"
)

func orgCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "org",
		Short: "Enroll your company with the two aggregators",
		Long: "org makes your company's signing key and questionnaire " +
			"(init), registers the public key and your answers with both " +
			"aggregators (enroll), and shows whether each has approved " +
			"you (status). Nothing is accepted from your company until " +
			"each aggregator's operator has approved it.",
		Example: "  infermargin org init --company acme\n" +
			"  infermargin org enroll --questionnaire questionnaire.yaml\n" +
			"  infermargin org status",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(orgInitCommand(), orgEnrollCommand(),
		orgStatusCommand())
	return cmd
}

type orgInitFlags struct {
	dir, company, kekFile, kekTransit, methodology string
}

func orgInitCommand() *cobra.Command {
	var f orgInitFlags
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Make the company's signing key and questionnaire",
		Long: "init writes, in --dir, the company's signing key encrypted " +
			"under a key-encryption key, its public key, and a " +
			"questionnaire listing the allowed answers. The key-" +
			"encryption key is a local file (made 0600 if it does not " +
			"exist) or a Vault Transit key, reached with VAULT_ADDR and " +
			"VAULT_TOKEN. It never overwrites a file.",
		Example: "  infermargin org init --company acme\n" +
			"  infermargin org init --company acme --dir keys " +
			"--kek-file keys/kek.json\n" +
			"  infermargin org init --company acme " +
			"--kek-transit vault-transit://transit/acme-kek",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runOrgInit(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "dir", defaultOrgDir(),
		"folder the files are written to")
	fl.StringVar(&f.company, "company", "", "your company id, as the "+
		"aggregators will know it")
	fl.StringVar(&f.kekFile, "kek-file", "", "local key-encryption key "+
		"file, made if missing (default DIR/kek.json)")
	fl.StringVar(&f.kekTransit, "kek-transit", "", "Vault Transit key as "+
		"vault-transit://MOUNT/KEY instead of a file")
	fl.StringVar(&f.methodology, "methodology",
		collect.DefaultMethodology, "methodology whose questionnaire to use")
	_ = cmd.MarkFlagRequired("company")
	cmd.MarkFlagsMutuallyExclusive("kek-file", "kek-transit")
	return cmd
}

// defaultOrgDir is the folder of the default collector configuration.
func defaultOrgDir() string {
	return filepath.Dir(defaultCollectConfig())
}

func runOrgInit(ctx context.Context, w io.Writer, f orgInitFlags) error {
	m, err := methodology.Load(f.methodology)
	if err != nil {
		return err
	}
	kek := f.kekFile
	if f.kekTransit != "" {
		if _, _, err := collect.ParseTransit(f.kekTransit); err != nil {
			return err
		}
		kek = f.kekTransit
	}
	made, err := enroll.Init(ctx, enroll.Options{Dir: f.dir,
		Company: f.company, KEK: kek, Methodology: m})
	if err != nil {
		return err
	}
	printMade(w, made, f.company)
	return nil
}

func printMade(w io.Writer, m *enroll.Made, company string) {
	fmt.Fprintln(w, "Made:")
	if m.KEKCreated {
		fmt.Fprintf(w, "  %s\n    key-encryption key (0600): back it "+
			"up and keep it secret;\n    without it the signing key "+
			"cannot be read\n", m.KEK)
	}
	fmt.Fprintf(w, "  %s\n    your signing key, encrypted under the "+
		"key-encryption key\n    %s\n", m.SigningKey, m.KEK)
	fmt.Fprintf(w, "  %s\n    its public key\n", m.PublicKey)
	fmt.Fprintf(w, "  %s\n    the questionnaire, to fill in\n",
		m.Questionnaire)
	fmt.Fprintf(w, "\nNext:\n  1. Fill in %s.\n", m.Questionnaire)
	fmt.Fprintf(w, "  2. In the aggregators section of your "+
		"collector.yaml, set\n       company: %s\n       signing_key: %s"+
		"\n       kek: %s\n     and the leader and helper URLs your "+
		"operators gave you.\n", company, m.SigningKey, m.KEK)
	fmt.Fprintf(w, "  3. Run: infermargin org enroll --questionnaire %s "+
		"--config collector.yaml\n", m.Questionnaire)
}

type orgFlags struct {
	config, questionnaire string
}

func orgEnrollCommand() *cobra.Command {
	var f orgFlags
	cmd := &cobra.Command{
		Use:   "enroll",
		Short: "Register the public key and answers with both aggregators",
		Long: "enroll reads the questionnaire strictly, checks each " +
			"answer against the methodology, signs the enrollment with " +
			"the company key named in the collector configuration and " +
			"sends it to the leader and the helper, which hold it " +
			"pending until their operators approve it. It sends the " +
			"company id, the public key and the answers; no metric.",
		Example: "  infermargin org enroll --questionnaire questionnaire.yaml" +
			" --config collector.yaml",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runOrgEnroll(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", defaultCollectConfig(),
		"collector configuration; its aggregators section is used")
	fl.StringVar(&f.questionnaire, "questionnaire", "",
		"the filled-in questionnaire of `org init`")
	_ = cmd.MarkFlagRequired("questionnaire")
	return cmd
}

func runOrgEnroll(ctx context.Context, w io.Writer, f orgFlags) error {
	c, err := collect.LoadMember(f.config)
	if err != nil {
		return err
	}
	m, err := methodology.Load(methodologyOf(c))
	if err != nil {
		return err
	}
	q, err := enroll.ReadQuestionnaire(f.questionnaire, m)
	if err != nil {
		return err
	}
	if err := q.CheckCompany(c); err != nil {
		return fmt.Errorf("%w (aggregators.company of %s is %q)", err,
			f.config, c.Aggregators.Company)
	}
	s, err := c.Signer(ctx)
	if err != nil {
		return fmt.Errorf("config %s: %w", f.config, err)
	}
	req, err := enroll.NewRequest(q, s)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range enroll.Nodes(c, s) {
		e, err := n.Enroll(ctx, req)
		errs = append(errs, err)
		printState(w, n, e, err)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nEach aggregator's operator now reviews the "+
		"enrollment; check with: infermargin org status")
	return nil
}

func orgStatusCommand() *cobra.Command {
	var f orgFlags
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the enrollment's state on both aggregators",
		Long: "status asks each aggregator, with a request signed by " +
			"the company key, for the company's enrollment and prints " +
			"its state: pending, approved or rejected.",
		Example: "  infermargin org status --config collector.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runOrgStatus(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	cmd.Flags().StringVar(&f.config, "config", defaultCollectConfig(),
		"collector configuration; its aggregators section is used")
	return cmd
}

func runOrgStatus(ctx context.Context, w io.Writer, f orgFlags) error {
	c, err := collect.LoadMember(f.config)
	if err != nil {
		return err
	}
	s, err := c.Signer(ctx)
	if err != nil {
		return fmt.Errorf("config %s: %w", f.config, err)
	}
	var errs []error
	for _, n := range enroll.Nodes(c, s) {
		e, err := n.Status(ctx)
		errs = append(errs, err)
		printState(w, n, e, err)
	}
	return errors.Join(errs...)
}

func methodologyOf(c *collect.Config) string {
	if c.Methodology == "" {
		return collect.DefaultMethodology
	}
	return c.Methodology
}

// printState writes one node's answer: the enrollment's state, or
// that the node could not say; the error itself is returned.
func printState(w io.Writer, n *enroll.Node, e *api.Enrollment,
	err error) {
	if err != nil {
		fmt.Fprintf(w, "%s %s: failed (see below)\n", n.Role, n.URL)
		return
	}
	fmt.Fprintf(w, "%s %s: %s, key %s, submitted %s\n", n.Role, n.URL,
		e.State, e.KeyID, stamp(e.SubmittedAt))
	if e.DecidedAt != nil {
		fmt.Fprintf(w, "  %s %s by %s", e.State, stamp(*e.DecidedAt),
			e.DecidedBy)
		if e.Reason != "" {
			fmt.Fprintf(w, ": %s", e.Reason)
		}
		fmt.Fprintln(w)
	}
}

func stamp(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
