package propose

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// trailerObject is the commit trailer naming each object a branch holds:
// a later run reads it to tell whether the drift went away.
const trailerObject = "Clusterscribe-Object"

// bodyMarker opens every pull request body propose writes.
const bodyMarker = "<!-- clusterscribe propose -->"

// objectTrailer renders "<type> <apiVersion> <kind> <namespace>/<name>"
// ("-" for no namespace).
func objectTrailer(t findings.Type, o findings.ObjectRef) string {
	ns := o.Namespace
	if ns == "" {
		ns = "-"
	}
	return fmt.Sprintf("%s: %s %s %s %s/%s", trailerObject, t, o.APIVersion, o.Kind, ns, o.Name)
}

// parseTrailers reads the objects a commit message names.
func parseTrailers(msg string) []trailer {
	var out []trailer
	for _, line := range strings.Split(msg, "\n") {
		rest, ok := strings.CutPrefix(line, trailerObject+": ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 4 {
			continue
		}
		ns, name, ok := strings.Cut(f[3], "/")
		if !ok {
			continue
		}
		if ns == "-" {
			ns = ""
		}
		out = append(out, trailer{typ: findings.Type(f[0]), ref: findings.ObjectRef{APIVersion: f[1], Kind: f[2], Namespace: ns, Name: name}})
	}
	return out
}

type trailer struct {
	typ findings.Type
	ref findings.ObjectRef
}

// commitMessage lists what the branch changes, with who changed it live.
func commitMessage(b *branch, cluster string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s\n\n", b.title(cluster))
	s.WriteString("Changes made live, outside Git, proposed for review:\n\n")
	for _, c := range b.changes {
		fmt.Fprintf(&s, "  %s %s\n", c.finding.Type, oneLine(c.finding.Object.String()))
		for _, p := range c.finding.Paths {
			fmt.Fprintf(&s, "    %s\n", oneLine(p))
		}
		if who := c.finding.ChangedBy.String(); who != "" {
			fmt.Fprintf(&s, "    changed by %s\n", oneLine(who))
		}
		for _, a := range c.finding.Attribution {
			fmt.Fprintf(&s, "    changed by %s\n", attribution(a))
		}
	}
	s.WriteString("\n")
	for _, c := range b.changes {
		s.WriteString(objectTrailer(c.finding.Type, c.finding.Object) + "\n")
	}
	return s.String()
}

func attribution(a findings.Attribution) string {
	parts := []string{oneLine(a.Manager)}
	if a.Operation != "" {
		parts = append(parts, "("+oneLine(a.Operation)+")")
	}
	if !a.Time.IsZero() {
		parts = append(parts, "at "+a.Time.UTC().Format(time.RFC3339))
	}
	return strings.Join(parts, " ")
}

// title is the commit subject and the pull request's title.
func (b *branch) title(cluster string) string {
	where := ""
	if cluster != "" {
		where = " in " + oneLine(cluster)
	}
	if len(b.changes) == 1 {
		c := b.changes[0]
		verb := "changed live"
		if c.finding.Type == findings.Unmanaged {
			verb = "created live"
		}
		return fmt.Sprintf("Memorialize: %s %s%s", oneLine(c.finding.Object.String()), verb, where)
	}
	return fmt.Sprintf("Memorialize: %d objects changed live%s", len(b.changes), where)
}

// latestChange is when the branch's drift was last made, from the
// attribution: the author date of its commit.
func (b *branch) latestChange() time.Time {
	var t time.Time
	for _, c := range b.changes {
		for _, a := range c.finding.Attribution {
			if a.Time.After(t) {
				t = a.Time
			}
		}
	}
	return t
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// policyFindings returns the report's policy findings on the branch's
// objects.
func policyFindings(rep *findings.Report, b *branch) []findings.Finding {
	var out []findings.Finding
	for _, f := range rep.Findings {
		if f.Type != findings.Policy {
			continue
		}
		if slices.ContainsFunc(b.changes, func(c *change) bool { return sameObject(c.finding.Object, f.Object) }) {
			out = append(out, f)
		}
	}
	return out
}

// sameObject compares objects by group, kind, namespace and name: the
// version does not matter.
func sameObject(a, b findings.ObjectRef) bool {
	return a.Group() == b.Group() && a.Kind == b.Kind && a.Namespace == b.Namespace && a.Name == b.Name
}
