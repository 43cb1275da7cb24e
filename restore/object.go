package restore

import (
	"fmt"
	"strings"
)

// ObjectQuery names the object History looks for.
type ObjectQuery struct {
	// Kind is the kind or the plural resource name, case-insensitive.
	Kind string
	// Group is the API group ("" for core); it counts only when GroupSet.
	Group    string
	GroupSet bool
	// Namespace is "" for cluster-scoped objects.
	Namespace string
	Name      string
}

// ParseObject parses "<kind>/<namespace>/<name>" or, for cluster-scoped
// objects, "<kind>/<name>". The kind may be "kind.group" (the first dot
// separates them), "kind.core" meaning the core group; without a group it
// matches every group.
func ParseObject(s string) (ObjectQuery, error) {
	parts := strings.Split(s, "/")
	var q ObjectQuery
	switch len(parts) {
	case 2:
		q.Kind, q.Name = parts[0], parts[1]
	case 3:
		q.Kind, q.Namespace, q.Name = parts[0], parts[1], parts[2]
		if q.Namespace == "" {
			return q, fmt.Errorf("%w: object %q: empty namespace", ErrInvalidConfig, s)
		}
	default:
		return q, fmt.Errorf("%w: object %q: want <kind>/<namespace>/<name> or <kind>/<name>", ErrInvalidConfig, s)
	}
	if kind, group, ok := strings.Cut(q.Kind, "."); ok {
		if group == "" {
			return q, fmt.Errorf("%w: object %q: no group after the dot (use kind.core for the core group)", ErrInvalidConfig, s)
		}
		q.Kind, q.Group, q.GroupSet = kind, strings.ToLower(group), true
		if q.Group == "core" {
			q.Group = ""
		}
	}
	if q.Kind == "" || q.Name == "" {
		return q, fmt.Errorf("%w: object %q: kind and name are required", ErrInvalidConfig, s)
	}
	return q, nil
}

// String renders the query as ParseObject reads it.
func (q ObjectQuery) String() string {
	kind := q.Kind
	if q.GroupSet {
		g := q.Group
		if g == "" {
			g = "core"
		}
		kind += "." + g
	}
	if q.Namespace == "" {
		return kind + "/" + q.Name
	}
	return kind + "/" + q.Namespace + "/" + q.Name
}

// matchesKind reports whether a file of this kind and resource is the
// query's kind.
func (q ObjectQuery) matchesKind(kind, resource string) bool {
	return strings.EqualFold(q.Kind, kind) || strings.EqualFold(q.Kind, resource)
}
