package propose

import (
	"fmt"
	"strings"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/audit/report"
)

// prBody renders the pull request's body: what changed live and who
// changed it, the files edited, what could not be proposed, the objects
// missing live, the policy findings on these objects, and the diffs. It
// holds nothing that changes from run to run unless the drift does.
func prBody(rep *findings.Report, b *branch, base, cluster string) string {
	var s strings.Builder
	s.WriteString(bodyMarker + "\n")
	writeChanges(&s, b, cluster)
	writeFiles(&s, b)
	writeNotes(&s, b)
	writeMissingLive(&s, rep)
	writePolicyFindings(&s, rep, b)
	for _, c := range b.changes {
		writeDiff(&s, c.finding)
	}
	fmt.Fprintf(&s, "---\nProposed by `clusterscribe propose` against %s.\n", report.MarkdownCode(base))
	return s.String()
}

// writeChanges writes the introduction and the table of what changed live
// and who changed it.
func writeChanges(s *strings.Builder, b *branch, cluster string) {
	s.WriteString("## Live changes to memorialize\n\n")
	where := "the cluster"
	if cluster != "" {
		where = "cluster **" + report.MarkdownText(cluster) + "**"
	}
	fmt.Fprintf(s, "These changes were made directly in %s, outside Git. Merging records them in the declared repo; "+
		"closing this pull request means the cluster should be reverted instead.\n\n", where)
	s.WriteString("| Object | Finding | Fields | Changed by |\n|---|---|---|---|\n")
	for _, c := range b.changes {
		f := c.finding
		paths := make([]string, 0, len(f.Paths))
		for _, p := range f.Paths {
			paths = append(paths, report.MarkdownCode(p))
		}
		var by []string
		if who := f.ChangedBy.String(); who != "" {
			by = append(by, "**"+report.MarkdownText(who)+"**")
		}
		for _, a := range f.Attribution {
			by = append(by, report.MarkdownText(attribution(a)))
		}
		fmt.Fprintf(s, "| %s | %s | %s | %s |\n", report.MarkdownCode(f.Object.String()), f.Type, strings.Join(paths, "<br>"), strings.Join(by, "<br>"))
	}
	s.WriteString("\n")
}

// writeFiles lists the files the branch edits.
func writeFiles(s *strings.Builder, b *branch) {
	if len(b.files) == 0 {
		return
	}
	s.WriteString("### Files edited\n\nOnly the drifted fields change; comments and formatting elsewhere are kept.\n\n")
	for _, f := range b.fileList() {
		fmt.Fprintf(s, "- %s\n", report.MarkdownCode(f))
	}
	s.WriteString("\n")
}

// writeNotes lists the parts of the drift the branch could not propose.
func writeNotes(s *strings.Builder, b *branch) {
	notes := b.notes()
	if len(notes) == 0 {
		return
	}
	s.WriteString("### Not proposed\n\nThese parts of the drift are not in this pull request; apply them by hand if they should stay:\n\n")
	for _, n := range notes {
		fmt.Fprintf(s, "- %s\n", report.MarkdownText(n))
	}
	s.WriteString("\n")
}

// writeMissingLive lists the declared objects missing live.
func writeMissingLive(s *strings.Builder, rep *findings.Report) {
	missing := ofType(rep, findings.MissingLive)
	if len(missing) == 0 {
		return
	}
	s.WriteString("### Declared but missing live\n\nListed for review; propose never deletes them from Git.\n\n")
	for _, f := range missing {
		src := ""
		if f.Source != nil {
			src = " (" + report.MarkdownCode(f.Source.String()) + ")"
		}
		fmt.Fprintf(s, "- %s%s\n", report.MarkdownCode(f.Object.String()), src)
	}
	s.WriteString("\n")
}

// writePolicyFindings writes the policy findings on the branch's objects,
// or says there are none when policies were evaluated.
func writePolicyFindings(s *strings.Builder, rep *findings.Report, b *branch) {
	pol := policyFindings(rep, b)
	if len(pol) == 0 {
		if len(rep.Policies) > 0 {
			s.WriteString("### Policy findings on these objects\n\nNone: every evaluated policy passes on them.\n\n")
		}
		return
	}
	s.WriteString("### Policy findings on these objects\n\n| Severity | Result | Policy | Object | Message |\n|---|---|---|---|---|\n")
	for _, f := range pol {
		fmt.Fprintf(s, "| %s | %s | %s %s | %s | %s |\n", f.Policy.Severity, f.Policy.Outcome, report.MarkdownCode(f.Policy.ID),
			report.MarkdownText(f.Policy.Title), report.MarkdownCode(f.Object.String()), report.MarkdownText(f.Message))
	}
	s.WriteString("\n")
}

// writeDiff writes one finding's diff, folded and capped as Markdown
// reports cap theirs; nothing when it has none.
func writeDiff(s *strings.Builder, f findings.Finding) {
	if f.Diff == "" {
		return
	}
	s.WriteString(report.MarkdownDiff("Drift of "+f.Object.String()+" (declared → live)", f.Diff, "(see `clusterscribe audit --format html`)"))
}

func ofType(rep *findings.Report, t findings.Type) []findings.Finding {
	var out []findings.Finding
	for _, f := range rep.Findings {
		if f.Type == t {
			out = append(out, f)
		}
	}
	return out
}
