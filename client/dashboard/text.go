package dashboard

import (
	"fmt"
	"io"
	"strings"
)

// textWidth is where the percentile lines wrap.
const textWidth = 76

// WriteText writes v for people: per cohort, per metric, the company's
// value and band, the percentile buckets, n and the chart.
func (v *View) WriteText(w io.Writer) error {
	b := new(strings.Builder)
	fmt.Fprintf(b, "%s, %s. Your metrics: computed %s, methodology %s."+
		"\nThey stay on this machine; only the cohort results below "+
		"were fetched.\n", v.Company, v.Period,
		v.ComputedAt.UTC().Format("2006-01-02 15:04 UTC"),
		v.Computed.Version)
	if len(v.Cohorts) == 0 {
		fmt.Fprintf(b, "\nNo private-tier result for %s yet: a cohort's "+
			"result is released once\nenough members have reported.\n",
			v.Period)
	}
	for i := range v.Cohorts {
		v.Cohorts[i].write(b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (c *Cohort) write(b *strings.Builder) {
	fmt.Fprintf(b, "\nCohort %s, %s tier, %d reports (report %s)\n",
		c.Cohort, c.Tier, c.Count, c.Report)
	if c.Note != "" {
		fmt.Fprintf(b, "Note: %s.\n", c.Note)
	}
	for i := range c.Metrics {
		b.WriteString("\n")
		c.Metrics[i].write(b)
	}
}

func (m *Metric) write(b *strings.Builder) {
	head := m.Name
	if m.Unit != "" {
		head += " (" + m.Unit + ")"
	}
	if m.Suppressed {
		fmt.Fprintf(b, "  %s: suppressed\n    %s\n    you: %s\n", head,
			m.Reason, value(m.Value))
		return
	}
	if m.N != nil {
		head += fmt.Sprintf(", n = %d", *m.N)
	}
	fmt.Fprintf(b, "  %s\n    you: %s\n", head, m.describe())
	for _, l := range wrap(m.Percentiles) {
		fmt.Fprintf(b, "    %s\n", l)
	}
	for _, l := range m.Chart() {
		fmt.Fprintf(b, "    %s\n", strings.TrimRight(l, " "))
	}
}

// describe gives the company's value and its band, or why it has
// none.
func (m *Metric) describe() string {
	v := value(m.Value)
	switch m.Band {
	case "n/a":
		return "n/a, the metric is undefined for you this month"
	case "not computed":
		return "not computed by your collector this month"
	case "not compared":
		return v + ", not compared (another methodology)"
	case "":
		return v + ", no percentiles to compare with"
	}
	return v + ", " + m.Band
}

// wrap lays the percentiles out on lines of at most textWidth.
func wrap(ps []Percentile) []string {
	var lines []string
	line := ""
	for _, p := range ps {
		s := p.String()
		if line != "" && len(line)+2+len(s) > textWidth {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += "  "
		}
		line += s
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
