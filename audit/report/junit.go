package report

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// JUnit XML as CI systems (Jenkins, GitLab, GitHub test reporters) read it.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string           `xml:"name,attr"`
		Tests      int              `xml:"tests,attr"`
		Failures   int              `xml:"failures,attr"`
		Errors     int              `xml:"errors,attr"`
		Skipped    int              `xml:"skipped,attr"`
		Timestamp  string           `xml:"timestamp,attr,omitempty"`
		Hostname   string           `xml:"hostname,attr,omitempty"`
		Properties *junitProperties `xml:"properties,omitempty"`
		Cases      []junitCase      `xml:"testcase"`
	}
	junitProperties struct {
		Property []junitProperty `xml:"property"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Failure   *junitProblem `xml:"failure,omitempty"`
		Error     *junitProblem `xml:"error,omitempty"`
		Skipped   *junitSkipped `xml:"skipped,omitempty"`
		SystemOut *junitCDATA   `xml:"system-out,omitempty"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Body    string `xml:",cdata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
	}
	junitCDATA struct {
		Text string `xml:",cdata"`
	}
)

// renderJUnit writes JUnit XML: one test suite per drift type (when the
// report is an audit) and per policy, one test case per finding (a failure;
// an error when a policy could not be evaluated; a passing case with the
// message as output for a warning), one passing case per policy for the
// objects it passed (counted from Report.Policies), and a "problems" suite
// whose cases are errors.
func renderJUnit(w io.Writer, r *findings.Report) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("render junit: %w", err)
	}
	b := junitBuilder{r: prepare(r)}
	if !b.r.GeneratedAt.IsZero() {
		b.stamp = b.r.GeneratedAt.UTC().Format("2006-01-02T15:04:05")
	}
	out := junitSuites{Name: "clusterscribe"}
	out.Suites = b.driftSuites()
	if b.r.Summary != nil {
		out.Suites = append(out.Suites, junitCoverage(b.suite("drift/InSync"), b.r.Summary))
	}
	for _, p := range junitPolicies(b.r) {
		out.Suites = append(out.Suites, b.policySuite(p))
	}
	if len(b.r.Problems) > 0 {
		out.Suites = append(out.Suites, b.problemSuite())
	}
	out.tally()
	if err := writeJUnit(w, out); err != nil {
		return fmt.Errorf("render junit: %w", err)
	}
	return nil
}

// junitBuilder makes the suites of one prepared report.
type junitBuilder struct {
	r     *findings.Report
	stamp string
}

// suite is an empty suite with the report's properties and props.
func (b junitBuilder) suite(name string, props ...junitProperty) junitSuite {
	r := b.r
	s := junitSuite{Name: name, Timestamp: b.stamp, Hostname: r.Cluster}
	for _, p := range append(props,
		junitProperty{"cluster", r.Cluster},
		junitProperty{"declared", r.Declared},
		junitProperty{"declaredRevision", r.DeclaredRevision},
		junitProperty{"policySet", policySetName(r.PolicySet)},
		junitProperty{"policySetVersion", policySetVersion(r.PolicySet)},
		junitProperty{"scope", policySetScope(r.PolicySet)}) {
		if p.Value != "" {
			if s.Properties == nil {
				s.Properties = &junitProperties{}
			}
			s.Properties.Property = append(s.Properties.Property, p)
		}
	}
	return s
}

// driftSuites has one suite per drift type: a failing case per finding,
// or (in an audit) one passing case when there is none.
func (b junitBuilder) driftSuites() []junitSuite {
	var out []junitSuite
	audit := b.r.Declared != ""
	for _, t := range driftTypes {
		fs := ofType(b.r.Findings, t)
		if len(fs) == 0 && !audit {
			continue
		}
		s := b.suite("drift/" + string(t))
		class := "clusterscribe.drift." + string(t)
		for _, f := range fs {
			s.Cases = append(s.Cases, junitCase{
				Name: f.Object.String(), Classname: class,
				Failure: &junitProblem{Message: cmp.Or(f.Message, typeBlurb(t)), Type: string(t), Body: junitDetails(f)},
			})
		}
		if len(fs) == 0 {
			s.Cases = append(s.Cases, junitCase{Name: "no " + strings.ToLower(typeTitle(t)) + " objects", Classname: class})
		}
		out = append(out, s)
	}
	return out
}

// policySuite is one policy's suite: a case per finding by outcome, one
// passing case for the objects that passed, or one skipped case when the
// policy judged nothing (never a pass).
func (b junitBuilder) policySuite(p junitPolicy) junitSuite {
	props := []junitProperty{{"severity", string(p.stat.Severity)}, {"title", p.stat.Title}}
	for _, c := range p.stat.Controls {
		props = append(props, junitProperty{"control", c.Framework + " " + c.ID})
	}
	if p.hasStat {
		props = append(props, junitProperty{"evaluated", fmt.Sprint(p.stat.Evaluated)},
			junitProperty{"failed", fmt.Sprint(p.stat.Failed)})
	}
	s := b.suite("policy/"+p.stat.ID, props...)
	class := "clusterscribe.policy." + p.stat.ID
	for _, f := range p.findings {
		s.Cases = append(s.Cases, policyCase(f, class))
	}
	if passed := p.stat.Evaluated - p.stat.Failed - p.stat.Excepted; p.hasStat && passed > 0 {
		s.Cases = append(s.Cases, junitCase{Name: plural(passed, "object") + " passed", Classname: class})
	}
	if len(s.Cases) == 0 {
		s.Cases = append(s.Cases, junitCase{
			Name: "no objects evaluated", Classname: class,
			Skipped: &junitSkipped{Message: "not evaluated: the policy applied to no object in scope"},
		})
	}
	return s
}

// policyCase is one policy finding: a failure, a warning on standard
// output, an evaluation error or a skipped exception.
func policyCase(f findings.Finding, class string) junitCase {
	c := junitCase{Name: f.Object.String() + " (" + stateLabel(f) + ")", Classname: class}
	problem := &junitProblem{Message: cmp.Or(f.Message, f.Policy.Title), Type: string(f.Policy.Severity), Body: junitDetails(f)}
	switch f.Policy.Outcome {
	case findings.Warn:
		c.SystemOut = &junitCDATA{Text: xmlSafe("warning: " + problem.Message + "\n" + problem.Body)}
	case findings.Error:
		problem.Type = "evaluation error"
		c.Error = problem
	case findings.Exception:
		c.Skipped = &junitSkipped{Message: "exception: " + f.Reason}
		c.SystemOut = &junitCDATA{Text: xmlSafe(problem.Message + "\n" + problem.Body)}
	default:
		c.Failure = problem
	}
	return c
}

// problemSuite has an erroring case per problem of the declared state.
func (b junitBuilder) problemSuite() junitSuite {
	s := b.suite("problems")
	for _, p := range b.r.Problems {
		s.Cases = append(s.Cases, junitCase{
			Name: p.Source.String(), Classname: "clusterscribe.problems",
			Error: &junitProblem{Message: p.Message, Type: "problem", Body: xmlSafe(p.Message)},
		})
	}
	return s
}

// tally counts the cases of every suite and of the whole.
func (out *junitSuites) tally() {
	for i := range out.Suites {
		s := &out.Suites[i]
		s.Tests = len(s.Cases)
		for _, c := range s.Cases {
			if c.Failure != nil {
				s.Failures++
			}
			if c.Error != nil {
				s.Errors++
			}
			if c.Skipped != nil {
				s.Skipped++
			}
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
	}
}

// writeJUnit writes the XML document.
func writeJUnit(w io.Writer, out junitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitCoverage fills the suite of the declared objects found in sync:
// one passing case each, and the counts of the audit as properties.
func junitCoverage(s junitSuite, sum *findings.Summary) junitSuite {
	if s.Properties == nil {
		s.Properties = &junitProperties{}
	}
	s.Properties.Property = append(s.Properties.Property,
		junitProperty{"declared", fmt.Sprint(sum.Declared)}, junitProperty{"compared", fmt.Sprint(sum.Compared)},
		junitProperty{"inSync", fmt.Sprint(sum.InSync)}, junitProperty{"drifted", fmt.Sprint(sum.Drifted)},
		junitProperty{"skipped", fmt.Sprint(sum.Skipped)})
	for _, o := range sum.InSyncObjects {
		s.Cases = append(s.Cases, junitCase{Name: o.String(), Classname: "clusterscribe.drift.InSync"})
	}
	if len(s.Cases) == 0 {
		s.Cases = append(s.Cases, junitCase{Name: "no objects in sync", Classname: "clusterscribe.drift.InSync"})
	}
	return s
}

type junitPolicy struct {
	stat     findings.PolicyStat
	hasStat  bool
	findings []findings.Finding
}

// junitPolicies joins stats and findings per policy, ordered by id.
func junitPolicies(r *findings.Report) []junitPolicy {
	var out []junitPolicy
	idx := map[string]int{}
	for _, s := range r.Policies {
		idx[s.ID] = len(out)
		out = append(out, junitPolicy{stat: s, hasStat: true})
	}
	for _, f := range r.Findings {
		if f.Policy == nil {
			continue
		}
		i, ok := idx[f.Policy.ID]
		if !ok {
			i = len(out)
			idx[f.Policy.ID] = i
			out = append(out, junitPolicy{stat: findings.PolicyStat{
				ID: f.Policy.ID, Title: f.Policy.Title, Severity: f.Policy.Severity, Controls: f.Policy.Controls,
			}})
		}
		out[i].findings = append(out[i].findings, f)
	}
	// Stats come sorted by id; policies known only from findings follow
	// in finding order. Bring everything into id order.
	sortByID := func(a, b junitPolicy) int { return strings.Compare(a.stat.ID, b.stat.ID) }
	slices.SortStableFunc(out, sortByID)
	return out
}

// junitDetails is the body of a failure: where, what changed, who, the diff.
func junitDetails(f findings.Finding) string {
	return xmlSafe(junitText(f))
}

// xmlSafe replaces the characters XML 1.0 cannot carry (CDATA sections are
// not escaped) with U+FFFD.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r >= 0xd800 && r <= 0xdfff, r == 0xfffe, r == 0xffff:
			return '\ufffd'
		}
		return r
	}, s)
}

func junitText(f findings.Finding) string {
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			b.WriteString(label + ": " + value + "\n")
		}
	}
	line("object", f.Object.String())
	if f.Source != nil {
		line("declared at", f.Source.String())
	}
	if f.Policy != nil {
		id := f.Policy.ID
		if f.Policy.Rule != "" && f.Policy.Rule != f.Policy.ID {
			id += "/" + f.Policy.Rule
		}
		line("policy", id+" ("+f.Policy.Title+")")
		line("severity", string(f.Policy.Severity))
		line("state", stateLabel(f))
		line("remediation", f.Policy.Remediation)
	}
	line("message", f.Message)
	line("changed", strings.Join(f.Paths, ", "))
	line("by", byText(f))
	if f.Diff != "" {
		b.WriteString("\n" + strings.TrimRight(f.Diff, "\n") + "\n")
	}
	return b.String()
}
