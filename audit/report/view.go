package report

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// severities in the order reports list them.
var severities = []findings.Severity{findings.Critical, findings.High, findings.Medium, findings.Low, findings.Info}

// driftTypes in the order reports list them.
var driftTypes = []findings.Type{findings.Modified, findings.MissingLive, findings.Unmanaged}

// typeWords is how each finding type reads in a report: its title in a
// heading, a blurb for readers new to the report, and the class the HTML
// page styles it by.
var typeWords = map[findings.Type]struct{ title, blurb, class string }{
	findings.Modified:    {"Modified", "live object differs from its declaration", "modified"},
	findings.MissingLive: {"Missing live", "declared, but not in the cluster", "missing"},
	findings.Unmanaged:   {"Unmanaged", "in the cluster and in scope, declared nowhere", "unmanaged"},
	findings.Policy:      {"Policy", "a policy fired on the object", "policy"},
}

// typeTitle is how a finding type reads in a heading.
func typeTitle(t findings.Type) string {
	if w, ok := typeWords[t]; ok {
		return w.title
	}
	return string(t)
}

// typeBlurb says what a finding type means.
func typeBlurb(t findings.Type) string { return typeWords[t].blurb }

// nsGroup is the findings of one namespace ("" for cluster-scoped objects).
type nsGroup struct {
	Namespace string
	Findings  []findings.Finding
}

// byNamespace groups sorted findings by namespace, cluster-scoped first.
func byNamespace(fs []findings.Finding) []nsGroup {
	idx := map[string]int{}
	var out []nsGroup
	for _, f := range fs {
		i, ok := idx[f.Object.Namespace]
		if !ok {
			i = len(out)
			idx[f.Object.Namespace] = i
			out = append(out, nsGroup{Namespace: f.Object.Namespace})
		}
		out[i].Findings = append(out[i].Findings, f)
	}
	// Sort orders by type first: bring the namespaces into order.
	slices.SortStableFunc(out, func(a, b nsGroup) int { return strings.Compare(a.Namespace, b.Namespace) })
	return out
}

// ofType returns the findings of type t.
func ofType(fs []findings.Finding, t findings.Type) []findings.Finding {
	var out []findings.Finding
	for _, f := range fs {
		if f.Type == t {
			out = append(out, f)
		}
	}
	return out
}

// stateLabel says which state a policy evaluated.
func stateLabel(f findings.Finding) string {
	if f.Live {
		return "live"
	}
	return "declared"
}

// attributionText is "manager (Operation) at time" for each attribution.
func attributionText(as []findings.Attribution) string {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		s := a.Manager
		if a.Operation != "" {
			s += " (" + a.Operation + ")"
		}
		if !a.Time.IsZero() {
			s += " at " + formatTime(a.Time)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// policySetLine is "name @ version" of the policies a report used.
func policySetLine(ps *findings.PolicySet) string { return ps.Name + " @ " + ps.Version }

func policySetName(ps *findings.PolicySet) string {
	if ps == nil {
		return ""
	}
	return ps.Name
}

func policySetVersion(ps *findings.PolicySet) string {
	if ps == nil {
		return ""
	}
	return ps.Version
}

func policySetScope(ps *findings.PolicySet) string {
	if ps == nil {
		return ""
	}
	return ps.Scope
}

// byText is who touched a finding's object: its field managers and, when
// the audit log named them, the person ("…; changed by alice with
// kubectl/v1.36.3 at …").
func byText(f findings.Finding) string {
	s := attributionText(f.Attribution)
	if who := f.ChangedBy.String(); who != "" {
		if s != "" {
			s += "; "
		}
		s += "changed by " + who
	}
	return s
}

// formatTime renders a timestamp in UTC, to the second.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format(time.RFC3339)
}

var hexRevision = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

// shortRevision abbreviates a Git commit id to 12 digits; other revisions
// (tags, branches) are kept.
func shortRevision(rev string) string {
	if hexRevision.MatchString(rev) {
		return rev[:12]
	}
	return rev
}

// diffLine is one line of a unified diff and its role.
type diffLine struct {
	Kind string // "file", "hunk", "add", "del", "ctx"
	Text string
}

// diffLines splits a unified diff into classified lines.
func diffLines(diff string) []diffLine {
	diff = strings.TrimSuffix(diff, "\n")
	if diff == "" {
		return nil
	}
	var out []diffLine
	inHeader := true
	for _, l := range strings.Split(diff, "\n") {
		kind := "ctx"
		switch {
		case strings.HasPrefix(l, "@@"):
			kind, inHeader = "hunk", false
		case inHeader && (strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ ")):
			kind = "file"
		case strings.HasPrefix(l, "+"):
			kind = "add"
		case strings.HasPrefix(l, "-"):
			kind = "del"
		}
		out = append(out, diffLine{Kind: kind, Text: l})
	}
	return out
}

// summaryLine is the one-line verdict every format ends (or starts) with.
func summaryLine(r *findings.Report) string {
	c := r.Count()
	var parts []string
	if s := r.Summary; s != nil {
		parts = append(parts, fmt.Sprintf("%s: %d compared, %d in sync, %d drifted, %d skipped",
			plural(s.Declared, "declared object"), s.Compared, s.InSync, s.Drifted, s.Skipped))
	}
	// Drift is audited against a declared source: without one, no drift
	// audit ran and the summary does not claim there is none.
	drift := c.Modified + c.MissingLive + c.Unmanaged
	switch {
	case drift > 0:
		parts = append(parts, fmt.Sprintf("%d modified, %d missing live, %d unmanaged", c.Modified, c.MissingLive, c.Unmanaged))
	case r.Declared != "":
		parts = append(parts, "no drift")
	}
	var sev []string
	total := 0
	for _, s := range severities {
		if n := c.Policy[s]; n > 0 {
			sev = append(sev, fmt.Sprintf("%d %s", n, s))
			total += n
		}
	}
	switch {
	case total > 0:
		parts = append(parts, fmt.Sprintf("%s (%s)", plural(total, "policy finding"), strings.Join(sev, ", ")))
	case len(r.Policies) > 0:
		parts = append(parts, "no policy findings")
	}
	if c.Exceptions > 0 {
		parts = append(parts, plural(c.Exceptions, "exception"))
	}
	if c.Problems > 0 {
		parts = append(parts, plural(c.Problems, "problem"))
	}
	if len(parts) == 0 {
		return "nothing evaluated"
	}
	return strings.Join(parts, "; ")
}

// plural is "1 thing" or "n things".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
