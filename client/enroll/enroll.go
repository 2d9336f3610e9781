// Package enroll makes a company a member of InferMargin: Init creates
// its signing key, stored encrypted under a key-encryption key, and a
// questionnaire to fill in; ParseQuestionnaire reads the answers back
// strictly; NewRequest signs the enrollment; Node sends it to one
// aggregator and reads back its state, and makes the signed requests
// a member reads its cohort's private results with.
//
// The keyset Init writes is the one the collector signs reports with:
// collect.Config.Signer reads it with the same associated data,
// collect.SigningPurpose of the company. The public key and the
// answers are all an enrollment sends; no metric leaves the machine.
//
// The package does not approve enrollments (each aggregator's operator
// does), assign cohorts or rotate keys: a new key is a new enrollment.
package enroll

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/client/collect"
	"github.com/infermargin/infermargin/client/secrets"
	"github.com/infermargin/infermargin/crypto/keys"
	"github.com/infermargin/infermargin/crypto/sign"
	"github.com/infermargin/infermargin/methodology"
)

// Errors of this package; test for them with errors.Is.
var (
	// ErrExists means Init would overwrite a file; it never does.
	ErrExists = errors.New("file exists; not overwritten")
	// ErrQuestionnaire means a questionnaire file is not a mapping of
	// the known questions to one answer each.
	ErrQuestionnaire = errors.New("bad questionnaire")
	// ErrCompany means the questionnaire names another company than
	// the configuration the key is read with.
	ErrCompany = errors.New("company differs from the configuration")
)

// The files Init makes in its folder; KEKFile only when no other
// key-encryption key is named.
const (
	KEKFile           = "kek.json"
	SigningKeyFile    = "signing.key"
	PublicKeyFile     = "signing.pub"
	QuestionnaireFile = "questionnaire.yaml"
)

// Options say what Init makes and where.
type Options struct {
	// Dir is the folder the files go to, created 0700 if missing.
	Dir string
	// Company is the company id the key is bound to.
	Company string
	// KEK is a key-encryption key as the collector's kek setting
	// names one: a local key file, made 0600 if missing, or
	// vault-transit://MOUNT/KEY. Empty means Dir/kek.json.
	KEK string
	// Vault reaches a Transit KEK; nil means VAULT_ADDR and
	// VAULT_TOKEN.
	Vault *secrets.Resolver
	// Methodology lists the questionnaire's choices.
	Methodology *methodology.Methodology
}

// Made lists the files Init wrote, by absolute path.
type Made struct {
	// KEK is the key-encryption key as options named it, or the file
	// made; KEKCreated says whether Init made it.
	KEK        string
	KEKCreated bool
	// SigningKey is the encrypted private keyset, mode 0600.
	SigningKey string
	// PublicKey is the public keyset, Tink JSON, mode 0644.
	PublicKey string
	// Questionnaire is the form to fill in, mode 0600.
	Questionnaire string
}

// Init creates a company's signing key in o.Dir, encrypted under the
// key-encryption key, with its public half and a questionnaire. It
// refuses to overwrite any of them, checking all before writing any,
// and removes what it made if a later step fails.
func Init(ctx context.Context, o Options) (*Made, error) {
	if err := aggregation.CheckCompany(o.Company); err != nil {
		return nil, fmt.Errorf("org init: %w", err)
	}
	if o.Methodology == nil {
		return nil, errors.New("org init: no methodology")
	}
	m, err := plan(o)
	if err != nil {
		return nil, err
	}
	var made []string
	err = m.write(ctx, o, &made)
	if err != nil {
		for _, p := range made {
			os.Remove(p)
		}
		return nil, fmt.Errorf("org init: %w", err)
	}
	return m, nil
}

// plan resolves the paths and refuses existing ones.
func plan(o Options) (*Made, error) {
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("org init: %w", err)
	}
	m := &Made{KEK: o.KEK,
		SigningKey:    filepath.Join(dir, SigningKeyFile),
		PublicKey:     filepath.Join(dir, PublicKeyFile),
		Questionnaire: filepath.Join(dir, QuestionnaireFile)}
	if m.KEK == "" {
		m.KEK = filepath.Join(dir, KEKFile)
	}
	for _, p := range []string{m.SigningKey, m.PublicKey,
		m.Questionnaire} {
		if _, err := os.Lstat(p); err == nil {
			return nil, fmt.Errorf("org init: %s: %w", p, ErrExists)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("org init: %w", err)
	}
	return m, nil
}

// write makes the files, appending each path to made once written.
func (m *Made) write(ctx context.Context, o Options, made *[]string) error {
	if err := m.makeKEK(made); err != nil {
		return err
	}
	r := o.Vault
	if r == nil {
		r = secrets.NewResolver(secrets.VaultConfig{})
	}
	kek, err := collect.OpenKEK(ctx, m.KEK, r)
	if err != nil {
		return fmt.Errorf("kek: %w", err)
	}
	if err := m.writeKeys(kek, o.Company, made); err != nil {
		return err
	}
	q := Template(o.Methodology, o.Company)
	if err := create(m.Questionnaire, q, 0o600); err != nil {
		return err
	}
	*made = append(*made, m.Questionnaire)
	return nil
}

// makeKEK creates a local KEK file that does not exist yet.
func (m *Made) makeKEK(made *[]string) error {
	if collect.IsTransit(m.KEK) {
		return nil
	}
	abs, err := filepath.Abs(m.KEK)
	if err != nil {
		return err
	}
	m.KEK = abs
	if _, err := os.Lstat(m.KEK); err == nil {
		return nil
	}
	if err := keys.GenerateLocalKEK(m.KEK); err != nil {
		return err
	}
	m.KEKCreated = true
	*made = append(*made, m.KEK)
	return nil
}

// writeKeys generates the signing key and writes both halves, then
// reads the private one back as the collector will, so a KEK that
// cannot decrypt what it encrypted fails here rather than at upload.
func (m *Made) writeKeys(kek keys.KEK, company string,
	made *[]string) error {
	s, err := sign.GenerateSigner()
	if err != nil {
		return err
	}
	v, err := s.Verifier()
	if err != nil {
		return err
	}
	ad := collect.SigningPurpose(company)
	var enc, pub bytes.Buffer
	if err := keys.WriteEncrypted(&enc, s.Handle(), kek, ad); err != nil {
		return err
	}
	if _, err := keys.ReadEncrypted(bytes.NewReader(enc.Bytes()), kek,
		ad); err != nil {
		return fmt.Errorf("read back the signing key: %w", err)
	}
	if err := keys.WritePublic(&pub, v.Handle()); err != nil {
		return err
	}
	if err := create(m.SigningKey, enc.Bytes(), 0o600); err != nil {
		return err
	}
	*made = append(*made, m.SigningKey)
	if err := create(m.PublicKey, pub.Bytes(), 0o644); err != nil {
		return err
	}
	*made = append(*made, m.PublicKey)
	return nil
}

// create writes a new file; an existing one is ErrExists.
func create(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// ReadQuestionnaire reads and parses the questionnaire file at path;
// see ParseQuestionnaire.
func ReadQuestionnaire(path string, m *methodology.Methodology) (
	*Questionnaire, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("questionnaire: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxQuestionnaire+1))
	if err != nil {
		return nil, fmt.Errorf("questionnaire %s: %w", path, err)
	}
	return ParseQuestionnaire(b, m)
}

// Nodes returns the leader and the helper of c's aggregators section,
// speaking as its company with s.
func Nodes(c *collect.Config, s *sign.Signer) []*Node {
	a := c.Aggregators
	return []*Node{
		{Role: "leader", URL: a.Leader, Company: a.Company, Signer: s},
		{Role: "helper", URL: a.Helper, Company: a.Company, Signer: s},
	}
}

// CheckCompany returns ErrCompany unless q answers for the company of
// c, the one its signing key is bound to.
func (q *Questionnaire) CheckCompany(c *collect.Config) error {
	if c.Aggregators == nil || q.Company != c.Aggregators.Company {
		return fmt.Errorf("questionnaire company %q: %w", q.Company,
			ErrCompany)
	}
	return nil
}
