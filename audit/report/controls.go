package report

import "strings"

// Control statuses.
const (
	StatusPass         = "pass"
	StatusFail         = "fail"
	StatusWarn         = "warn"
	StatusNotEvaluated = "not-evaluated"
)

// statusLabel is how a status reads in text: "NOT EVALUATED".
func statusLabel(status string) string {
	return strings.ToUpper(strings.ReplaceAll(status, "-", " "))
}

// controlTitles are the titles of controls that stand for a whole level of
// a framework: the policies mapped to them name their own check (a
// Pod Security Standards policy maps to "baseline" with the title "Host
// Namespaces"), which is not the level's title.
var controlTitles = map[[2]string]string{
	{"PSS", "privileged"}: "Privileged: unrestricted",
	{"PSS", "baseline"}:   "Baseline: prevents known privilege escalations",
	{"PSS", "restricted"}: "Restricted: current Pod hardening best practices",
}

// controlTitle is a control's own title: the known title of a level, else
// the title its policies give it (the first, in policy id order, when they
// differ).
func controlTitle(framework, id, fromPolicy string) string {
	if t, ok := controlTitles[[2]string{framework, id}]; ok {
		return t
	}
	return fromPolicy
}
