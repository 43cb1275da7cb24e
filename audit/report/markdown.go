package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// markdownDiffLines caps each diff in Markdown: pull request bodies (the
// reports' and propose's) and CI summaries have size limits; the HTML and
// JSON reports carry every line.
const markdownDiffLines = 200

// renderMarkdown writes GitHub-flavoured Markdown for pull request bodies and
// CI job summaries. Everything from the cluster or the declared repo is
// escaped; diffs sit in collapsed ```diff blocks.
func renderMarkdown(w io.Writer, r *findings.Report) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("render markdown: %w", err)
	}
	r = prepare(r)
	var b bytes.Buffer
	c := r.Count()
	b.WriteString("## clusterscribe report\n\n")
	var meta []string
	if r.Cluster != "" {
		meta = append(meta, "**Cluster** "+mdText(r.Cluster))
	}
	if r.Declared != "" {
		d := "**Declared** " + mdText(r.Declared)
		if r.DeclaredRevision != "" {
			d += " @ " + mdCode(shortRevision(r.DeclaredRevision))
		}
		meta = append(meta, d)
	}
	if ps := r.PolicySet; ps != nil {
		meta = append(meta, "**Policies** "+mdText(ps.Name)+" @ "+mdCode(ps.Version))
		if ps.Scope != "" {
			meta = append(meta, "**Scope** "+mdText(ps.Scope))
		}
	}
	meta = append(meta, "**Generated** "+formatTime(r.GeneratedAt))
	b.WriteString(strings.Join(meta, " · ") + "\n\n")
	fmt.Fprintf(&b, "**%s**\n\n", mdText(upperFirst(summaryLine(r))))

	policyTotal := 0
	for _, n := range c.Policy {
		policyTotal += n
	}
	b.WriteString("| Modified | Missing live | Unmanaged | Policy | Critical | High | Medium | Low | Info | Problems |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d | %d | %d | %d | %d |\n\n", c.Modified, c.MissingLive, c.Unmanaged,
		policyTotal, c.Policy[findings.Critical], c.Policy[findings.High], c.Policy[findings.Medium],
		c.Policy[findings.Low], c.Policy[findings.Info], c.Problems)

	mdDrift(&b, r.Findings)
	mdPolicy(&b, ofType(r.Findings, findings.Policy))
	mdCompliance(&b, Compliance(r))
	if len(r.Problems) > 0 {
		fmt.Fprintf(&b, "### Problems (%d)\n\nBad input was skipped; everything else was audited.\n\n", len(r.Problems))
		b.WriteString("| Location | Problem |\n|---|---|\n")
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "| %s | %s |\n", mdCode(p.Source.String()), mdText(p.Message))
		}
		b.WriteString("\n")
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("render markdown: %w", err)
	}
	return nil
}

func mdDrift(b *bytes.Buffer, all []findings.Finding) {
	var drift []findings.Finding
	for _, t := range driftTypes {
		drift = append(drift, ofType(all, t)...)
	}
	if len(drift) == 0 {
		return
	}
	fmt.Fprintf(b, "### Drift (%d)\n\n", len(drift))
	b.WriteString("| Finding | Object | Declared at | Details |\n|---|---|---|---|\n")
	for _, f := range drift {
		var details []string
		if f.Message != "" {
			details = append(details, mdText(f.Message))
		}
		if len(f.Paths) > 0 {
			codes := make([]string, len(f.Paths))
			for i, p := range f.Paths {
				codes[i] = mdCode(p)
			}
			details = append(details, "changed: "+strings.Join(codes, ", "))
		}
		if by := byText(f); by != "" {
			details = append(details, "by "+mdText(by))
		}
		source := ""
		if f.Source != nil {
			source = mdCode(f.Source.String())
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", typeTitle(f.Type), mdCode(f.Object.String()), source,
			strings.Join(details, "<br>"))
	}
	b.WriteString("\n")
	for _, f := range drift {
		if f.Diff == "" {
			continue
		}
		b.WriteString(MarkdownDiff("Diff of "+f.Object.String(), f.Diff, "in the HTML or JSON report"))
	}
}

// MarkdownDiff is diff folded under summary (HTML-escaped here) in a diff
// code block, cut after markdownDiffLines lines; rest says where the lines
// cut are ("in the HTML or JSON report").
func MarkdownDiff(summary, diff, rest string) string {
	var w strings.Builder
	fmt.Fprintf(&w, "<details><summary>%s</summary>\n\n", htmlText(summary))
	lines := strings.Split(strings.TrimRight(diff, "\n"), "\n")
	more := 0
	if len(lines) > markdownDiffLines {
		lines, more = lines[:markdownDiffLines], len(lines)-markdownDiffLines
	}
	body := strings.Join(lines, "\n")
	fence := codeFence(body)
	fmt.Fprintf(&w, "%sdiff\n%s\n%s\n", fence, body, fence)
	if more > 0 {
		fmt.Fprintf(&w, "\n… %d more lines %s.\n", more, rest)
	}
	w.WriteString("\n</details>\n\n")
	return w.String()
}

func mdPolicy(b *bytes.Buffer, fs []findings.Finding) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(b, "### Policy findings (%d)\n\n", len(fs))
	b.WriteString("| Severity | Result | Policy | Object | Message |\n|---|---|---|---|---|\n")
	for _, f := range fs {
		id := f.Policy.ID
		if f.Policy.Rule != "" && f.Policy.Rule != f.Policy.ID {
			id += "/" + f.Policy.Rule
		}
		obj := mdCode(f.Object.String()) + " (" + stateLabel(f) + ")"
		if f.Source != nil {
			obj += "<br>" + mdCode(f.Source.String())
		}
		msg := mdText(f.Message)
		if f.Reason != "" {
			msg += "<br>**Excepted:** " + mdText(f.Reason)
		}
		fmt.Fprintf(b, "| %s | %s | %s<br>%s | %s | %s |\n", f.Policy.Severity, f.Policy.Outcome, mdCode(id),
			mdText(f.Policy.Title), obj, msg)
	}
	b.WriteString("\n")
}

func mdCompliance(b *bytes.Buffer, fws []Framework) {
	if len(fws) == 0 {
		return
	}
	b.WriteString("### Compliance\n\n")
	for _, fw := range fws {
		fmt.Fprintf(b, "**%s**\n\n", mdText(fw.Title))
		if len(fw.Controls) == 0 {
			b.WriteString("No evaluated policy maps to this framework.\n\n")
			continue
		}
		b.WriteString("| Control | Status | Passed | Failed | Objects |\n|---|---|---:|---:|---|\n")
		for _, c := range fw.Controls {
			objs := make([]string, 0, len(c.Objects))
			for _, o := range c.Objects {
				objs = append(objs, mdCode(o.Object.String())+" "+string(o.Outcome)+" ("+mdText(o.Policy)+")")
			}
			title := mdCode(c.ID)
			if c.Title != "" {
				title += " " + mdText(c.Title)
			}
			fmt.Fprintf(b, "| %s | %s | %d | %d | %s |\n", title, statusLabel(c.Status()), c.Passed, c.Failed,
				strings.Join(objs, "<br>"))
		}
		b.WriteString("\n")
	}
}

// mdText escapes text for Markdown, table cells included: HTML is neutered,
// Markdown punctuation is backslash-escaped, newlines become <br>.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n':
			b.WriteString("<br>")
		case '\r':
		case '\\', '`', '*', '_', '[', ']', '|', '#', '~', '!', '{', '}':
			b.WriteRune('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode renders s as a code span that works inside a table cell.
func mdCode(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ", "|", `\|`).Replace(s)
	ticks := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return ticks + s + ticks
}

// codeFence is a backtick fence longer than any run of backticks in body.
func codeFence(body string) string {
	return strings.Repeat("`", max(3, longestRun(body, '`')+1))
}

func longestRun(s string, c rune) int {
	best, n := 0, 0
	for _, r := range s {
		if r == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// htmlText escapes the HTML special characters (for raw HTML in Markdown).
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;").Replace(s)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// MarkdownText escapes text for Markdown, table cells included, for other
// writers of Markdown (pull request bodies).
func MarkdownText(s string) string { return mdText(s) }

// MarkdownCode renders s as a code span that works inside a table cell.
func MarkdownCode(s string) string { return mdCode(s) }
