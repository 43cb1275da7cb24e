package committer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

type changeKind int

const (
	kindAdded changeKind = iota
	kindChanged
	kindRemoved
)

func (k changeKind) String() string {
	switch k {
	case kindAdded:
		return "added"
	case kindChanged:
		return "changed"
	default:
		return "removed"
	}
}

// messageLine is one object in a commit message.
type messageLine struct {
	kind        changeKind
	path        string
	object      string
	attribution *Attribution
}

// maxMessageLines caps the object lines of one message: an initial snapshot
// of a large cluster touches tens of thousands of files, and the commit
// itself already lists them.
const maxMessageLines = 1000

// formatMessage renders a commit message:
//
//	<prefix>: N added, M changed, K removed
//
//	added   apps/Deployment shop/web (kubectl-client-side-apply Update 2026-11-22T01:02:03Z)
//	removed v1/ConfigMap shop/old
//
//	Changed-By: alice (groups devs) via kubectl/v1.36.3
//
// Lines are grouped added, changed, removed, each group sorted by object.
// A line names the person who made the change ("…, by alice via
// kubectl/v1.36.3") when the audit webhook told; each such person gets a
// Changed-By trailer, after every line (even those left out).
func formatMessage(prefix string, lines []messageLine) string {
	var counts [3]int
	for _, l := range lines {
		counts[l.kind]++
	}
	sorted := slices.Clone(lines)
	slices.SortStableFunc(sorted, func(a, b messageLine) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.label(), b.label()), cmp.Compare(a.path, b.path))
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d added, %d changed, %d removed\n\n", prefix, counts[kindAdded], counts[kindChanged], counts[kindRemoved])
	for i, l := range sorted {
		if i == maxMessageLines {
			fmt.Fprintf(&b, "… and %d more (git show --stat lists every file)\n", len(sorted)-i)
			break
		}
		fmt.Fprintf(&b, "%-7s %s", l.kind, l.label())
		if a := l.attribution.String(); a != "" {
			fmt.Fprintf(&b, " (%s)", a)
		}
		b.WriteByte('\n')
	}
	b.WriteString(trailers(lines))
	return b.String()
}

func (l messageLine) label() string {
	if l.object != "" {
		return oneLine(l.object)
	}
	return oneLine(l.path)
}

// Attribution says who last changed an object: the field manager and time
// from its managedFields and, when the API server's audit webhook named
// them, the person.
type Attribution struct {
	Manager   string    // field manager, e.g. "kubectl-client-side-apply"
	Operation string    // "Apply" or "Update"
	Time      time.Time // when the manager last wrote
	// ChangedBy is the person, from the audit log; nil when unknown.
	ChangedBy *Actor
}

// String renders "manager operation time, by alice via kubectl/v1.36.3"
// with missing parts left out and the time in UTC, RFC 3339.
func (a *Attribution) String() string {
	if a == nil {
		return ""
	}
	var parts []string
	for _, p := range []string{oneLine(a.Manager), oneLine(a.Operation)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if !a.Time.IsZero() {
		parts = append(parts, a.Time.UTC().Format(time.RFC3339))
	}
	s := strings.Join(parts, " ")
	if by := a.ChangedBy.Short(); by != "" {
		if s != "" {
			s += ", "
		}
		s += "by " + by
	}
	return s
}

func (a *Attribution) actor() *Actor {
	if a == nil {
		return nil
	}
	return a.ChangedBy
}

func (fc fileChange) actor() *Actor { return fc.Attribution.actor() }

// oneLine keeps a label on its line: control characters become spaces.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
