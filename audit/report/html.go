package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/version"
)

// The page's template and stylesheet.
//
//go:embed report.html.tmpl report.css
var htmlAssets embed.FS

var (
	htmlStyle    = string(mustRead(htmlAssets, "report.css"))
	htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
		"upper":  strings.ToUpper,
		"status": statusLabel,
		"nsName": nsName,
		"path":   breakablePath,
	}).Parse(string(mustRead(htmlAssets, "report.html.tmpl"))))
)

func mustRead(fsys embed.FS, name string) []byte {
	b, err := fsys.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: cannot happen
	}
	return b
}

// nsName is "namespace/name", or the name of a cluster-scoped object.
func nsName(o findings.ObjectRef) string {
	if o.Namespace != "" {
		return o.Namespace + "/" + o.Name
	}
	return o.Name
}

// breakablePath escapes a file path (or "file:line") and lets the browser
// wrap it after a slash rather than inside a name.
func breakablePath(s fmt.Stringer) template.HTML {
	parts := strings.Split(s.String(), "/")
	for i, p := range parts {
		parts[i] = template.HTMLEscapeString(p)
	}
	return template.HTML(strings.Join(parts, "/<wbr>")) // every part is escaped above
}

// renderHTML writes one self-contained page: inline CSS, no script, no
// external resource, readable offline and printable.
func renderHTML(w io.Writer, r *findings.Report) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, newHTMLView(prepare(r))); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	return nil
}

type htmlView struct {
	Style                   template.CSS
	Cluster                 string
	PolicySet               *findings.PolicySet
	Declared                string
	Revision, RevisionShort string
	Generated, GeneratedISO string
	Version                 string
	Summary                 string
	Verdict                 string // "clean", "warn" or "fail"
	VerdictTitle            string
	Cards                   []htmlCard
	Severities              []htmlCard
	Namespaces              []htmlNamespace
	Frameworks              []htmlFramework
	Policies                []htmlPolicy
	Problems                []findings.Problem
	HasPolicies             bool
	// Coverage is the audit's summary: what was compared, by kind and
	// namespace; nil when no declared state was audited.
	Coverage *findings.Summary
}

type htmlCard struct {
	Label, Class, Blurb string
	N                   int
}

type htmlNamespace struct {
	Name, Anchor, Title string
	Counts              string
	Findings            []htmlFinding
}

type htmlFinding struct {
	findings.Finding
	Label       string
	TypeClass   string
	Attribution string
	PolicyID    string
	State       string
	Diff        []diffLine
	DiffStat    string
}

type htmlFramework struct {
	Framework
	Anchor   string
	Passing  int
	Controls []htmlControl
}

type htmlControl struct {
	ControlStatus
	Status  string
	PassPct int
}

type htmlPolicy struct {
	findings.PolicyStat
	Passed   int
	Controls string
}

func newHTMLView(r *findings.Report) htmlView {
	c := r.Count()
	v := htmlView{
		Style:         template.CSS(htmlStyle),
		Cluster:       r.Cluster,
		PolicySet:     r.PolicySet,
		Declared:      r.Declared,
		Revision:      r.DeclaredRevision,
		RevisionShort: shortRevision(r.DeclaredRevision),
		Generated:     r.GeneratedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		GeneratedISO:  formatTime(r.GeneratedAt),
		Version:       version.Version,
		Summary:       upperFirst(summaryLine(r)),
		Problems:      r.Problems,
		Coverage:      r.Summary,
	}
	if r.GeneratedAt.IsZero() {
		v.Generated = "unknown"
	}
	policyTotal := 0
	for _, s := range severities {
		policyTotal += c.Policy[s]
		v.Severities = append(v.Severities, htmlCard{Label: string(s), Class: "sev-" + string(s), N: c.Policy[s]})
	}
	v.Cards = []htmlCard{
		typeCard(findings.Modified, c.Modified),
		typeCard(findings.MissingLive, c.MissingLive),
		typeCard(findings.Unmanaged, c.Unmanaged),
		{Label: "Policy findings", Class: "policy", N: policyTotal, Blurb: "rules that fired on live or declared objects"},
		{Label: "Problems", Class: "problems", N: c.Problems, Blurb: "bad input skipped; the rest was audited"},
	}
	switch {
	case r.HasDrift() || r.HasFailures():
		v.Verdict, v.VerdictTitle = "fail", "Action needed"
	case policyTotal > 0 || c.Problems > 0:
		v.Verdict, v.VerdictTitle = "warn", "Review"
	default:
		v.Verdict, v.VerdictTitle = "clean", "All clear"
	}
	v.Namespaces = htmlNamespaces(r.Findings)
	v.Frameworks = htmlFrameworks(r)
	v.HasPolicies = len(v.Frameworks) > 0
	for _, p := range r.Policies {
		ctl := make([]string, 0, len(p.Controls))
		for _, c := range p.Controls {
			ctl = append(ctl, c.Framework+" "+c.ID)
		}
		v.Policies = append(v.Policies, htmlPolicy{PolicyStat: p, Passed: max(p.Evaluated-p.Failed, 0), Controls: strings.Join(ctl, ", ")})
	}
	return v
}

// typeCard is the summary card of a finding type.
func typeCard(t findings.Type, n int) htmlCard {
	w := typeWords[t]
	return htmlCard{Label: w.title, Class: w.class, N: n, Blurb: w.blurb}
}

// htmlNamespaces groups the findings by namespace, each group with its
// counts per type.
func htmlNamespaces(fs []findings.Finding) []htmlNamespace {
	var out []htmlNamespace
	for _, g := range byNamespace(fs) {
		ns := htmlNamespace{Name: g.Namespace, Anchor: "ns-" + g.Namespace, Title: "Namespace " + g.Namespace}
		if g.Namespace == "" {
			ns.Anchor, ns.Title = "cluster-scoped", "Cluster-scoped objects"
		}
		counts := map[findings.Type]int{}
		for _, f := range g.Findings {
			counts[f.Type]++
			ns.Findings = append(ns.Findings, newHTMLFinding(f))
		}
		var parts []string
		for _, t := range append(driftTypes, findings.Policy) {
			if counts[t] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", counts[t], strings.ToLower(typeTitle(t))))
			}
		}
		ns.Counts = strings.Join(parts, " · ")
		out = append(out, ns)
	}
	return out
}

// htmlFrameworks are the compliance frameworks with each control's pass
// rate; a control with no evaluation shows 0%, never 100%.
func htmlFrameworks(r *findings.Report) []htmlFramework {
	var out []htmlFramework
	for _, fw := range Compliance(r) {
		hf := htmlFramework{Framework: fw, Anchor: "fw-" + strings.ToLower(fw.ID)}
		for _, ctl := range fw.Controls {
			hc := htmlControl{ControlStatus: ctl, Status: ctl.Status(), PassPct: 100}
			if total := ctl.Passed + ctl.Failed; total > 0 {
				hc.PassPct = ctl.Passed * 100 / total
			} else if hc.Status == StatusNotEvaluated {
				hc.PassPct = 0
			}
			if hc.Status == "pass" {
				hf.Passing++
			}
			hf.Controls = append(hf.Controls, hc)
		}
		out = append(out, hf)
	}
	return out
}

func newHTMLFinding(f findings.Finding) htmlFinding {
	h := htmlFinding{
		Finding:     f,
		Label:       typeTitle(f.Type),
		TypeClass:   typeWords[f.Type].class,
		Attribution: byText(f),
		Diff:        diffLines(f.Diff),
	}
	if f.Policy != nil {
		h.PolicyID = f.Policy.ID
		if f.Policy.Rule != "" && f.Policy.Rule != f.Policy.ID {
			h.PolicyID += "/" + f.Policy.Rule
		}
		h.State = stateLabel(f)
	}
	add, del := 0, 0
	for _, l := range h.Diff {
		switch l.Kind {
		case "add":
			add++
		case "del":
			del++
		}
	}
	if len(h.Diff) > 0 {
		h.DiffStat = fmt.Sprintf("+%d −%d", add, del)
	}
	return h
}
