package enroll

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/infermargin/infermargin/aggregation"
	"github.com/infermargin/infermargin/methodology"
)

// maxQuestionnaire bounds a questionnaire file; it is a few lines.
const maxQuestionnaire = 64 << 10

// Questionnaire is a filled-in questionnaire: who answers and the
// answers cohorts are built from.
type Questionnaire struct {
	Company string
	Answers methodology.Answers
}

// questions are the keys of a questionnaire file, in file order.
var questions = []string{"company", "use_case", "arr_band", "team_size"}

// Template returns a questionnaire for company to fill in: each
// question with its allowed answers, from m's vocabulary, listed as
// comments above an empty answer.
func Template(m *methodology.Methodology, company string) []byte {
	v := &m.Vocabulary
	var b bytes.Buffer
	fmt.Fprintf(&b, "# InferMargin questionnaire (methodology %s).\n",
		m.Version)
	b.WriteString("# Answer each question with exactly one of the ids " +
		"listed above it,\n# in quotes, then run `infermargin org " +
		"enroll`. Both aggregators\n# see these answers; they place " +
		"you in a cohort. No metric is sent.\n\n")
	b.WriteString("# The company id your signing key is bound to; " +
		"leave it as it is.\n")
	fmt.Fprintf(&b, "company: %s\n\n", strconv.Quote(company))
	b.WriteString("# Your primary use case, exactly one (not a list):\n")
	writeChoices(&b, choices(v.UseCases, nil))
	b.WriteString("use_case: \"\"\n\n")
	b.WriteString("# Your annual recurring revenue band:\n")
	writeChoices(&b, choices(nil, v.ARRBands))
	b.WriteString("arr_band: \"\"\n\n")
	b.WriteString("# Your team size:\n")
	writeChoices(&b, choices(nil, v.TeamSizes))
	b.WriteString("team_size: \"\"\n")
	return b.Bytes()
}

// choices pairs each choice's quoted id with its label.
func choices(cs []methodology.Choice, bs []methodology.Band) [][2]string {
	var out [][2]string
	for _, c := range cs {
		out = append(out, [2]string{strconv.Quote(c.ID), c.Label})
	}
	for _, b := range bs {
		out = append(out, [2]string{strconv.Quote(b.ID), b.Label})
	}
	return out
}

func writeChoices(b *bytes.Buffer, cs [][2]string) {
	w := 0
	for _, c := range cs {
		w = max(w, len(c[0]))
	}
	for _, c := range cs {
		fmt.Fprintf(b, "#   %-*s  %s\n", w, c[0], c[1])
	}
}

// ParseQuestionnaire reads a questionnaire file strictly: a mapping of
// the four questions, each to one answer. An unknown or repeated key,
// a list or a mapping where one answer belongs is an error wrapping
// ErrQuestionnaire, naming its line; an answer m does not allow is one
// wrapping methodology.ErrAnswer.
func ParseQuestionnaire(b []byte, m *methodology.Methodology) (
	*Questionnaire, error) {
	if len(b) > maxQuestionnaire {
		return nil, fmt.Errorf("questionnaire: over %d bytes: %w",
			maxQuestionnaire, ErrQuestionnaire)
	}
	top, err := decodeMapping(b)
	if err != nil {
		return nil, err
	}
	answers, err := readAnswers(top)
	if err != nil {
		return nil, err
	}
	q := &Questionnaire{Company: answers["company"],
		Answers: methodology.Answers{UseCase: answers["use_case"],
			ARRBand: answers["arr_band"], TeamSize: answers["team_size"]}}
	if q.Company == "" {
		return nil, fmt.Errorf("questionnaire: company: missing: %w",
			ErrQuestionnaire)
	}
	if err := aggregation.CheckCompany(q.Company); err != nil {
		return nil, fmt.Errorf("questionnaire: company: %w", err)
	}
	if err := m.CheckAnswers(q.Answers); err != nil {
		return nil, fmt.Errorf("questionnaire: %w", err)
	}
	return q, nil
}

// decodeMapping decodes exactly one YAML document, which must be a
// mapping, and returns it.
func decodeMapping(b []byte) (*yaml.Node, error) {
	d := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	err := d.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("questionnaire: empty: %w", ErrQuestionnaire)
	}
	if err != nil {
		return nil, fmt.Errorf("questionnaire: %w: %w", ErrQuestionnaire,
			err)
	}
	var extra yaml.Node
	if err := d.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("questionnaire: more than one document: "+
			"%w", ErrQuestionnaire)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("questionnaire: want a mapping of "+
			"questions to answers: %w", ErrQuestionnaire)
	}
	return doc.Content[0], nil
}

// readAnswers returns each question's answer, "" when left empty.
func readAnswers(top *yaml.Node) (map[string]string, error) {
	out := map[string]string{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Kind != yaml.ScalarNode || !slices.Contains(questions, k.Value) {
			return nil, fmt.Errorf("questionnaire line %d: unknown key "+
				"%q; want %s: %w", k.Line, clip(k.Value),
				strings.Join(questions, ", "), ErrQuestionnaire)
		}
		if _, dup := out[k.Value]; dup {
			return nil, fmt.Errorf("questionnaire line %d: %s answered "+
				"twice: %w", k.Line, k.Value, ErrQuestionnaire)
		}
		a, err := answer(k.Value, v)
		if err != nil {
			return nil, err
		}
		out[k.Value] = a
	}
	return out, nil
}

// answer reads the one answer of question q.
func answer(q string, v *yaml.Node) (string, error) {
	switch {
	case v.Kind == yaml.SequenceNode && q == "use_case":
		return "", fmt.Errorf("questionnaire line %d: use_case is a "+
			"list; give exactly one primary use case: %w", v.Line,
			ErrQuestionnaire)
	case v.Kind != yaml.ScalarNode:
		return "", fmt.Errorf("questionnaire line %d: %s: want one "+
			"answer, not a list or a mapping: %w", v.Line, q,
			ErrQuestionnaire)
	case v.ShortTag() == "!!null":
		return "", nil
	}
	return v.Value, nil
}

// clip shortens a key quoted in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
