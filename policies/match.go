package policies

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Match selects the objects a policy applies to, with the semantics of a
// Gatekeeper constraint's spec.match. The zero value matches every object.
type Match struct {
	Kinds              []MatchKinds          `json:"kinds,omitempty"`
	Scope              string                `json:"scope,omitempty"`
	Namespaces         []string              `json:"namespaces,omitempty"`
	ExcludedNamespaces []string              `json:"excludedNamespaces,omitempty"`
	LabelSelector      *metav1.LabelSelector `json:"labelSelector,omitempty"`
	NamespaceSelector  *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
	Name               string                `json:"name,omitempty"`
	// Source is Gatekeeper's Original/Generated/All switch for objects
	// made by ExpansionTemplates (default All).
	Source string `json:"source,omitempty"`
}

// MatchKinds is one entry of Match.Kinds: any of the kinds in any of the
// groups ("" is the core group, "*" any).
type MatchKinds struct {
	APIGroups []string `json:"apiGroups,omitempty"`
	Kinds     []string `json:"kinds,omitempty"`
}

// workloadKinds are the kinds that carry a pod spec; "kinds: workloads" in
// a policy's metadata stands for them.
var workloadKinds = []MatchKinds{
	{APIGroups: []string{""}, Kinds: []string{"Pod", "PodTemplate", "ReplicationController"}},
	{APIGroups: []string{"apps"}, Kinds: []string{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}},
	{APIGroups: []string{"batch"}, Kinds: []string{"Job", "CronJob"}},
}

// compiledMatch is a Match with its selectors parsed.
type compiledMatch struct {
	Match
	labelSelector     labels.Selector
	namespaceSelector labels.Selector
	// vap, when set, selects in place of Match: a
	// ValidatingAdmissionPolicy and its binding.
	vap *vapMatch
}

// decodeMatch reads a match block (a constraint's spec.match, or custom.match
// of a policy's metadata). kinds may be the string "workloads".
func decodeMatch(raw any) (*compiledMatch, error) {
	m := &compiledMatch{}
	if raw == nil {
		return m, nil
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("match: want an object, got %T", raw)
	}
	workloads := false
	if k, ok := obj["kinds"].(string); ok {
		if k != "workloads" {
			return nil, fmt.Errorf("match: kinds: %q is neither a list nor \"workloads\"", k)
		}
		obj = maps.Clone(obj)
		delete(obj, "kinds")
		workloads = true
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m.Match); err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	if workloads {
		m.Kinds = slices.Clone(workloadKinds)
	}
	return m, m.compile()
}

func (m *compiledMatch) compile() error {
	switch m.Scope {
	case "", "*", "Cluster", "Namespaced":
	default:
		return fmt.Errorf("match: scope %q is not one of *, Cluster, Namespaced", m.Scope)
	}
	var err error
	if m.LabelSelector != nil {
		if m.labelSelector, err = metav1.LabelSelectorAsSelector(m.LabelSelector); err != nil {
			return fmt.Errorf("match: labelSelector: %w", err)
		}
	}
	if m.NamespaceSelector != nil {
		if m.namespaceSelector, err = metav1.LabelSelectorAsSelector(m.NamespaceSelector); err != nil {
			return fmt.Errorf("match: namespaceSelector: %w", err)
		}
	}
	return nil
}

// matches reports whether the object is in scope. nsLabels returns the
// labels of a namespace (nil when the namespace is not among the objects).
func (m *compiledMatch) matches(o *object, nsLabels func(string) map[string]string) bool {
	if m.vap != nil {
		return m.vap.matches(o, nsLabels)
	}
	return m.kindsMatch(o) && m.sourceMatch(o) && m.scopeMatch(o) && m.namespacesMatch(o) &&
		m.labelsMatch(o) && m.namespaceSelectorMatch(o, nsLabels) &&
		(m.Name == "" || wildcardMatch(m.Name, o.ref.Name))
}

func (m *compiledMatch) kindsMatch(o *object) bool {
	return m.matchesKind(o.group, o.ref.Kind)
}

// matchesKind reports whether objects of the group and kind may match.
func (m *compiledMatch) matchesKind(group, kind string) bool {
	if m.vap != nil {
		return m.vap.matchesKind(group, kind)
	}
	if len(m.Kinds) == 0 {
		return true
	}
	for _, k := range m.Kinds {
		kindOK := len(k.Kinds) == 0 || slices.Contains(k.Kinds, "*") || slices.Contains(k.Kinds, kind)
		groupOK := len(k.APIGroups) == 0 || slices.Contains(k.APIGroups, "*") || slices.Contains(k.APIGroups, group)
		if kindOK && groupOK {
			return true
		}
	}
	return false
}

func (m *compiledMatch) scopeMatch(o *object) bool {
	hasNamespace := o.ref.Namespace != ""
	switch m.Scope {
	case "Cluster":
		return o.isNamespace || !hasNamespace
	case "Namespaced":
		return !o.isNamespace && hasNamespace
	default:
		return true
	}
}

// namespaceOf is the namespace the namespace matchers look at: the name of
// a Namespace, the namespace of a namespaced object, "" for other
// cluster-scoped objects (which the namespace matchers never exclude).
func (o *object) namespaceOf() string {
	if o.isNamespace {
		return o.ref.Name
	}
	return o.ref.Namespace
}

func (m *compiledMatch) namespacesMatch(o *object) bool {
	ns := o.namespaceOf()
	if ns == "" {
		return true
	}
	if len(m.Namespaces) > 0 && !slices.ContainsFunc(m.Namespaces, func(p string) bool { return wildcardMatch(p, ns) }) {
		return false
	}
	return !slices.ContainsFunc(m.ExcludedNamespaces, func(p string) bool { return wildcardMatch(p, ns) })
}

func (m *compiledMatch) labelsMatch(o *object) bool {
	return m.labelSelector == nil || m.labelSelector.Matches(labels.Set(o.labels))
}

func (m *compiledMatch) namespaceSelectorMatch(o *object, nsLabels func(string) map[string]string) bool {
	switch {
	case m.namespaceSelector == nil:
		return true
	case o.isNamespace:
		return m.namespaceSelector.Matches(labels.Set(o.labels))
	case o.ref.Namespace == "":
		// Gatekeeper matches every cluster-scoped object that is not a
		// Namespace.
		return true
	default:
		// A namespace that is not among the objects has no labels.
		return m.namespaceSelector.Matches(labels.Set(nsLabels(o.ref.Namespace)))
	}
}

// wildcardMatch matches Gatekeeper's prefix ("kube-*") and suffix
// ("*-system") globs; anything else must be equal.
func wildcardMatch(pattern, s string) bool {
	switch {
	case pattern == "*":
		return true
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(s, strings.TrimSuffix(pattern, "*"))
	case strings.HasPrefix(pattern, "*"):
		return strings.HasSuffix(s, strings.TrimPrefix(pattern, "*"))
	default:
		return pattern == s
	}
}
