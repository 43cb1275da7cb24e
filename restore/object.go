package restore

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/watcher"
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
	// OrCluster also matches a cluster-scoped object of that name: a kubectl
	// reference TYPE/NAME resolved in a namespace names either.
	OrCluster bool
	Name      string
}

// ParseRef parses a kubectl object reference, TYPE/NAME, resolved in
// namespace the way kubectl resolves it: the object is the namespaced one
// in namespace or, for a cluster-scoped kind, the cluster-scoped one. TYPE
// is a kind, a resource (plural or singular) or a built-in short name
// ("deploy"), optionally followed by its group ("deployments.apps",
// "deployments.v1.apps", "kind.core" for the core group). The form
// TYPE/NAMESPACE/NAME is read too, and wins over namespace.
func ParseRef(s, namespace string) (ObjectQuery, error) {
	q, err := ParseObject(s)
	if err != nil {
		return q, err
	}
	if q.Namespace == "" && namespace != "" {
		q.Namespace, q.OrCluster = namespace, true
	}
	return q, nil
}

// ParseObject parses "<kind>/<namespace>/<name>" or, for cluster-scoped
// objects, "<kind>/<name>". The kind may be "kind.group" (the first dot
// separates them), "kind.core" meaning the core group; without a group it
// matches every group. Built-in short names ("deploy", "cm") stand for
// their resource and group.
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
		return q, fmt.Errorf("%w: object %q: want TYPE/NAME (or TYPE/NAMESPACE/NAME)", ErrInvalidConfig, s)
	}
	if kind, group, ok := strings.Cut(q.Kind, "."); ok {
		if group == "" {
			return q, fmt.Errorf("%w: object %q: no group after the dot (use kind.core for the core group)", ErrInvalidConfig, s)
		}
		q.Kind, q.Group, q.GroupSet = kind, strings.ToLower(group), true
		if v, rest, ok := strings.Cut(q.Group, "."); ok && isVersion(v) {
			q.Group = rest // resource.version.group
		} else if isVersion(q.Group) {
			q.Group = "" // resource.version of the core group
		}
		if q.Group == "core" {
			q.Group = ""
		}
	} else if r, ok := shortNames[strings.ToLower(q.Kind)]; ok {
		q.Kind, q.Group, q.GroupSet = r.Resource, r.Group, true
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
	if q.Namespace == "" || q.OrCluster {
		return kind + "/" + q.Name
	}
	return kind + "/" + q.Namespace + "/" + q.Name
}

// matchesKind reports whether a file of this kind and resource is the
// query's kind.
func (q ObjectQuery) matchesKind(kind, resource string) bool {
	return strings.EqualFold(q.Kind, kind) || strings.EqualFold(q.Kind, resource)
}

// isVersion reports whether s reads as an API version (v1, v1beta1, v2alpha3).
func isVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' || s[1] < '0' || s[1] > '9' {
		return false
	}
	rest := strings.TrimLeft(s[1:], "0123456789")
	for _, p := range []string{"alpha", "beta"} {
		if t, ok := strings.CutPrefix(rest, p); ok {
			rest = strings.TrimLeft(t, "0123456789")
		}
	}
	return rest == ""
}

// Matches reports whether the object of resource res is the one q names.
func (q ObjectQuery) Matches(res watcher.Resource, obj *unstructured.Unstructured) bool {
	if !q.matchesKind(res.Kind, res.GVR.Resource) || (q.GroupSet && q.Group != res.GVR.Group) || obj.GetName() != q.Name {
		return false
	}
	if res.Namespaced {
		return q.Namespace != "" && obj.GetNamespace() == q.Namespace
	}
	return q.Namespace == "" || q.OrCluster
}
