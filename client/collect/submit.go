package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/client/submit"
	"github.com/infermargin/infermargin/crypto/hpke"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/server/api"
	"github.com/infermargin/infermargin/server/node"
)

// SigningPurpose is the associated data the company's signing keyset
// is encrypted under, so no other keyset loads as it.
func SigningPurpose(company string) []byte {
	return []byte("infermargin/company/" + company + "/signing")
}

// Upload is a report ready to go: built, encrypted and signed, not yet
// sent. Describe says what will leave the machine.
type Upload struct {
	Report *aggregation.Report
	URLs   [2]string

	sub *submit.Submitter
	dir string
}

// Prepare builds the report of s under the upload settings of c:
// bucket indices secret-shared, each aggregator's shares encrypted to
// its key, the report signed with the company key. hc sends the
// upload; nil means a default client.
func Prepare(c *Config, s *Summary, hc *http.Client) (*Upload, error) {
	if err := c.ValidateUpload(); err != nil {
		return nil, err
	}
	a := c.Aggregators
	signer, err := c.Signer(context.Background())
	if err != nil {
		return nil, err
	}
	cl, err := a.client(s, signer)
	if err != nil {
		return nil, err
	}
	vs, err := a.verifiers()
	if err != nil {
		return nil, err
	}
	b := aggregation.BatchID{Cohort: a.Cohort, Period: s.Period,
		Methodology: s.Methodology.Version}
	r, err := cl.NewReport(b, s.Buckets())
	if err != nil {
		return nil, fmt.Errorf("build report: %w", err)
	}
	sub := submit.New(submit.Aggregator{URL: a.Leader, Key: vs[0]},
		submit.Aggregator{URL: a.Helper, Key: vs[1]}, hc)
	return &Upload{Report: r, URLs: [2]string{a.Leader, a.Helper},
		sub: sub, dir: a.ReceiptsDir}, nil
}

// CheckKeys validates the upload settings and reads every key file
// they name, so a wrong path or key-encryption key is reported before
// any provider is called rather than after a long fetch.
func (c *Config) CheckKeys() error {
	if err := c.ValidateUpload(); err != nil {
		return err
	}
	a := c.Aggregators
	if _, err := c.Signer(context.Background()); err != nil {
		return err
	}
	if _, err := a.shareKeys(); err != nil {
		return err
	}
	_, err := a.verifiers()
	return err
}

func (a *Aggregators) shareKeys() ([2]*hpke.PublicKey, error) {
	var ks [2]*hpke.PublicKey
	var err error
	if ks[0], err = node.ReadShareKey(a.LeaderShareKey); err != nil {
		return ks, fmt.Errorf("aggregators.leader_share_key: %w", err)
	}
	if ks[1], err = node.ReadShareKey(a.HelperShareKey); err != nil {
		return ks, fmt.Errorf("aggregators.helper_share_key: %w", err)
	}
	return ks, nil
}

func (a *Aggregators) client(s *Summary, signer *sign.Signer) (
	*aggregation.Client, error) {
	ks, err := a.shareKeys()
	if err != nil {
		return nil, err
	}
	return aggregation.NewClient(s.m, a.Company, signer, ks[0], ks[1])
}

func (a *Aggregators) verifiers() ([2]*sign.Verifier, error) {
	var vs [2]*sign.Verifier
	var err error
	vs[0], err = node.ReadStatementKey(a.LeaderStatementKey)
	if err != nil {
		return vs, fmt.Errorf("aggregators.leader_statement_key: %w", err)
	}
	vs[1], err = node.ReadStatementKey(a.HelperStatementKey)
	if err != nil {
		return vs, fmt.Errorf("aggregators.helper_statement_key: %w", err)
	}
	return vs, nil
}

// Describe writes exactly what Send uploads: to each aggregator the
// same report, whose parts are listed with their sizes.
func (u *Upload) Describe(w io.Writer) {
	r := u.Report
	pub := 0
	for _, p := range r.Public {
		pub += len(p)
	}
	fmt.Fprintf(w, "What leaves this machine: one report, sent to both "+
		"aggregators.\n")
	fmt.Fprintf(w, "  report %s, batch %s, company %s\n", r.ID, r.Batch,
		r.Company)
	fmt.Fprintf(w, "  %d public shares, %d bytes in all\n", len(r.Public),
		pub)
	for role, url := range u.URLs {
		fmt.Fprintf(w, "  %s share (%s): %d bytes encrypted to it\n",
			aggregation.Role(role), url, len(r.Shares[role]))
	}
	fmt.Fprintf(w, "  signature: %d bytes\n", len(r.Signature))
	fmt.Fprintln(w, "Only bucket indices are inside the shares; no "+
		"figure or metric value is sent.")
}

// Send uploads the report to the leader then the helper, checks their
// receipts and writes each to the receipts folder as
// <report id>-<role>.json, mode 0600. It returns the files written.
func (u *Upload) Send(ctx context.Context) ([]string, error) {
	rcs, err := u.sub.Submit(ctx, u.Report)
	var paths []string
	for _, rc := range rcs {
		if rc == nil {
			continue
		}
		p, werr := u.keep(rc)
		if werr != nil {
			return paths, werr
		}
		paths = append(paths, p)
	}
	return paths, err
}

// keep writes one receipt.
func (u *Upload) keep(rc *aggregation.Receipt) (string, error) {
	if err := os.MkdirAll(u.dir, 0o700); err != nil {
		return "", fmt.Errorf("receipts folder: %w", err)
	}
	b, err := json.MarshalIndent(api.FromReceipt(rc), "", "  ")
	if err != nil {
		return "", fmt.Errorf("encode receipt: %w", err)
	}
	name := fmt.Sprintf("%s-%s.json", rc.Report, rc.Role)
	p := filepath.Join(u.dir, name)
	if err := os.WriteFile(p, append(b, '\n'), 0o600); err != nil {
		return "", fmt.Errorf("write receipt: %w", err)
	}
	return p, nil
}

// Submit prepares the report of s and sends it; the command line
// prepares, describes, asks and sends in steps instead.
func Submit(ctx context.Context, c *Config, s *Summary) ([]string, error) {
	u, err := Prepare(c, s, nil)
	if err != nil {
		return nil, err
	}
	return u.Send(ctx)
}
