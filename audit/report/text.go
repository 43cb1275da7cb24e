package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// Text renders a report for a terminal: findings grouped by type, then the
// compliance status, policy stats and problems, and a summary line last.
// Color adds ANSI colours; callers set it when the output is a terminal.
type Text struct {
	Color bool
}

// ANSI styles.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiCyan   = "\x1b[36m"
)

// Render implements Renderer.
func (t Text) Render(w io.Writer, r *findings.Report) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("render text: %w", err)
	}
	r = prepare(r)
	p := &textPrinter{color: t.Color}
	p.header(r)
	for _, typ := range append(driftTypes, findings.Policy) {
		fs := ofType(r.Findings, typ)
		if len(fs) == 0 {
			continue
		}
		p.section(fmt.Sprintf("%s (%d)", strings.ToUpper(typeTitle(typ)), len(fs)), typeBlurb(typ))
		for _, f := range fs {
			if typ == findings.Policy {
				p.policyFinding(f)
			} else {
				p.driftFinding(f)
			}
		}
	}
	p.compliance(Compliance(r))
	p.policies(r.Policies)
	p.problems(r.Problems)
	p.line("")
	p.line(p.style(ansiBold, "Summary: ") + clean(summaryLine(r)))
	if _, err := w.Write(p.buf.Bytes()); err != nil {
		return fmt.Errorf("render text: %w", err)
	}
	return nil
}

type textPrinter struct {
	buf   bytes.Buffer
	color bool
}

func (p *textPrinter) style(code, s string) string {
	if !p.color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (p *textPrinter) line(s string) { p.buf.WriteString(s + "\n") }

// lines writes s, already cleaned, indenting every line.
func (p *textPrinter) lines(indent, s string) {
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		p.line(indent + l)
	}
}

func (p *textPrinter) field(label, value string) {
	if value == "" {
		return
	}
	p.lines("    ", p.style(ansiDim, pad(label, 12))+clean(value))
}

func (p *textPrinter) message(s string) {
	if s != "" {
		p.lines("    ", clean(s))
	}
}

func (p *textPrinter) header(r *findings.Report) {
	p.line(p.style(ansiBold, "clusterscribe report"))
	if r.Cluster != "" {
		p.line("  " + pad("Cluster", 11) + clean(r.Cluster))
	}
	if r.Declared != "" {
		declared := r.Declared
		if r.DeclaredRevision != "" {
			declared += " @ " + shortRevision(r.DeclaredRevision)
		}
		p.line("  " + pad("Declared", 11) + clean(declared))
	}
	if ps := r.PolicySet; ps != nil {
		p.line("  " + pad("Policies", 11) + clean(policySetLine(ps)))
		if ps.Scope != "" {
			p.line("  " + pad("Scope", 11) + clean(ps.Scope))
		}
	}
	p.line("  " + pad("Generated", 11) + formatTime(r.GeneratedAt))
}

func (p *textPrinter) section(title, blurb string) {
	p.line("")
	if blurb != "" {
		blurb = "  " + p.style(ansiDim, blurb)
	}
	p.line(p.style(ansiBold+ansiBlue, title) + blurb)
}

func (p *textPrinter) driftFinding(f findings.Finding) {
	p.line("  " + p.style(ansiBold, clean(f.Object.String())))
	p.message(f.Message)
	if f.Source != nil {
		p.field("declared at", f.Source.String())
	}
	p.field("changed", strings.Join(f.Paths, ", "))
	p.field("by", byText(f))
	for _, l := range diffLines(f.Diff) {
		text := "      " + clean(l.Text)
		switch l.Kind {
		case "add":
			text = p.style(ansiGreen, text)
		case "del":
			text = p.style(ansiRed, text)
		case "hunk":
			text = p.style(ansiCyan, text)
		case "file":
			text = p.style(ansiBold, text)
		}
		p.line(text)
	}
}

func (p *textPrinter) policyFinding(f findings.Finding) {
	pol := f.Policy
	sev := pad(strings.ToUpper(string(pol.Severity)), 9)
	p.line("  " + p.style(severityColor(pol.Severity), sev) + p.style(ansiBold, clean(f.Object.String())) +
		p.style(ansiDim, " ("+stateLabel(f)+")"))
	id := pol.ID
	if pol.Rule != "" && pol.Rule != pol.ID {
		id += "/" + pol.Rule
	}
	outcome := ""
	if pol.Outcome != findings.Fail {
		outcome = " [" + string(pol.Outcome) + "]"
	}
	p.message(f.Message)
	p.field("policy", id+" — "+pol.Title+outcome)
	p.field("excepted", f.Reason)
	if f.Source != nil {
		p.field("declared at", f.Source.String())
	}
	p.field("fix", pol.Remediation)
}

func (p *textPrinter) compliance(fws []Framework) {
	if len(fws) == 0 {
		return
	}
	p.section("COMPLIANCE", "pass / fail per control, from every evaluated object")
	for _, fw := range fws {
		p.line("  " + p.style(ansiBold, clean(fw.Title)))
		if len(fw.Controls) == 0 {
			p.line("    " + p.style(ansiDim, "no evaluated policy maps to this framework"))
			continue
		}
		width, statusWidth := 0, 6
		for _, c := range fw.Controls {
			width = max(width, utf8.RuneCountInString(c.ID))
			statusWidth = max(statusWidth, len(statusLabel(c.Status()))+2)
		}
		for _, c := range fw.Controls {
			status := c.Status()
			code := ansiGreen
			switch status {
			case StatusFail:
				code = ansiRed
			case StatusWarn:
				code = ansiYellow
			case StatusNotEvaluated:
				code = ansiDim
			}
			p.line(fmt.Sprintf("    %s%s%4d passed, %3d failed  %s", p.style(code, pad(statusLabel(status), statusWidth)),
				pad(clean(c.ID), width+2), c.Passed, c.Failed, clean(c.Title)))
		}
	}
}

func (p *textPrinter) policies(stats []findings.PolicyStat) {
	if len(stats) == 0 {
		return
	}
	p.section(fmt.Sprintf("POLICIES (%d)", len(stats)), "every policy evaluated, with its passes")
	width := 0
	for _, s := range stats {
		width = max(width, utf8.RuneCountInString(s.ID))
	}
	for _, s := range stats {
		excepted := ""
		if s.Excepted > 0 {
			excepted = fmt.Sprintf(", %d excepted", s.Excepted)
		}
		p.line(fmt.Sprintf("  %s%s%4d evaluated, %4d failed%s  %s", pad(clean(s.ID), width+2),
			p.style(severityColor(s.Severity), pad(string(s.Severity), 10)), s.Evaluated, s.Failed, excepted, clean(s.Title)))
	}
}

func (p *textPrinter) problems(probs []findings.Problem) {
	if len(probs) == 0 {
		return
	}
	p.section(fmt.Sprintf("PROBLEMS (%d)", len(probs)), "bad input skipped; everything else was audited")
	for _, pr := range probs {
		p.lines("  ", p.style(ansiYellow, clean(pr.Source.String()))+"  "+clean(pr.Message))
	}
}

func severityColor(s findings.Severity) string {
	switch s {
	case findings.Critical:
		return ansiBold + ansiRed
	case findings.High:
		return ansiRed
	case findings.Medium:
		return ansiYellow
	default:
		return ansiDim
	}
}

// pad pads s with spaces to n runes (at least one space follows).
func pad(s string, n int) string {
	if s == "" {
		return strings.Repeat(" ", n)
	}
	return s + strings.Repeat(" ", max(n-utf8.RuneCountInString(s), 1))
}

// clean makes text from the cluster or the declared repo safe for a
// terminal: control characters (escape sequences) and bidirectional
// overrides are shown escaped instead of acting. Newlines are kept.
func clean(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !unsafeRune(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	switch {
	case r == '\n':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == utf8.RuneError:
		return true
	}
	return false
}
