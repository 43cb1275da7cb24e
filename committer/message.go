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
// Lines are grouped added, changed, removed, each group sorted by object.
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
	return b.String()
}

func (l messageLine) label() string {
	if l.object != "" {
		return oneLine(l.object)
	}
	return oneLine(l.path)
}

// Attribution says who last changed an object, from its managedFields.
type Attribution struct {
	Manager   string    // field manager, e.g. "kubectl-client-side-apply"
	Operation string    // "Apply" or "Update"
	Time      time.Time // when the manager last wrote
}

// String renders "manager operation time" with missing parts left out and
// the time in UTC, RFC 3339.
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
	return strings.Join(parts, " ")
}

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
