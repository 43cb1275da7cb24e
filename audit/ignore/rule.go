package ignore

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/internal/jsonpointer"
)

// Any in Rule.Group or Rule.Kind matches every group or kind.
const Any = "*"

// Rule is one ignoreDifferences entry, with Argo CD's field names.
type Rule struct {
	// Group is the API group ("" or omitted: the core group; "*": every
	// group).
	Group string `json:"group,omitempty"`
	// Kind is the kind ("*": every kind).
	Kind string `json:"kind"`
	// Name and Namespace narrow the rule to some objects; empty matches
	// every object. Both may be path.Match globs.
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	// JSONPointers are RFC 6901 pointers removed from both sides before
	// comparing ("/spec/replicas"). As an extension to Argo CD, a "*" token
	// matches every element of a list or every key of a map
	// ("/spec/template/spec/containers/*/image").
	JSONPointers []string `json:"jsonPointers,omitempty"`
	// ManagedFieldsManagers are field managers whose fields are never drift
	// ("kube-controller-manager", "vpa-updater").
	ManagedFieldsManagers []string `json:"managedFieldsManagers,omitempty"`
	// JQPathExpressions are Argo CD's jq paths. They are not supported: a
	// rule holding any is refused, so a config file written for Argo CD is
	// never applied half-way without notice.
	JQPathExpressions []string `json:"jqPathExpressions,omitempty"`
}

// Builtin is a rule that applies unless strict mode switches the built-in
// rules off.
type Builtin struct {
	// ID names the rule in documentation and logs.
	ID string
	// Description says what the rule ignores and why.
	Description string
	Rule
}

// gitOpsTrackingPointers are the labels and annotations GitOps tools and
// Helm add to every object they apply; they are never in the declared
// files.
var gitOpsTrackingPointers = []string{
	"/metadata/labels/kustomize.toolkit.fluxcd.io~1name",
	"/metadata/labels/kustomize.toolkit.fluxcd.io~1namespace",
	"/metadata/labels/helm.toolkit.fluxcd.io~1name",
	"/metadata/labels/helm.toolkit.fluxcd.io~1namespace",
	"/metadata/annotations/kustomize.toolkit.fluxcd.io~1checksum",
	"/metadata/annotations/argocd.argoproj.io~1tracking-id",
	"/metadata/annotations/argocd.argoproj.io~1installation-id",
	"/metadata/annotations/meta.helm.sh~1release-name",
	"/metadata/annotations/meta.helm.sh~1release-namespace",
}

// builtins is the table behind Builtins.
var builtins = []Builtin{
	{
		ID:          "webhook-cabundle",
		Description: "caBundle of admission webhooks: injected by cert-manager or the webhook's own controller",
		Rule: Rule{
			Group: "admissionregistration.k8s.io", Kind: Any,
			JSONPointers: []string{"/webhooks/*/clientConfig/caBundle"},
		},
	},
	{
		ID:          "crd-cabundle",
		Description: "caBundle of a CustomResourceDefinition's conversion webhook: injected, not declared",
		Rule: Rule{
			Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition",
			JSONPointers: []string{"/spec/conversion/webhook/clientConfig/caBundle"},
		},
	},
	{
		ID:          "apiservice-cabundle",
		Description: "caBundle of an APIService: injected, not declared",
		Rule: Rule{
			Group: "apiregistration.k8s.io", Kind: "APIService",
			JSONPointers: []string{"/spec/caBundle"},
		},
	},
	{
		ID:          "gitops-tracking",
		Description: "labels and annotations Flux, Argo CD and Helm stamp on what they apply",
		Rule:        Rule{Group: Any, Kind: Any, JSONPointers: gitOpsTrackingPointers},
	},
	{
		ID:          "rollout-restart",
		Description: "kubectl.kubernetes.io/restartedAt in pod templates: `kubectl rollout restart` restarts pods, it changes no configuration",
		Rule: Rule{
			Group: Any, Kind: Any,
			JSONPointers: []string{
				"/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt",
				"/spec/jobTemplate/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt",
			},
		},
	},
}

// Builtins returns the built-in rules. The result is a copy.
func Builtins() []Builtin {
	out := slices.Clone(builtins)
	for i := range out {
		out[i].JSONPointers = slices.Clone(out[i].JSONPointers)
	}
	return out
}

// compiled is a checked Rule.
type compiled struct {
	where    string // "ignoreDifferences[2]" or "builtin webhook-cabundle"
	rule     Rule
	pointers []jsonpointer.Pointer
}

func compile(where string, r Rule) (compiled, error) {
	c := compiled{where: where, rule: r}
	if len(r.JQPathExpressions) > 0 {
		return c, fmt.Errorf("%s: jqPathExpressions are not supported; use jsonPointers", where)
	}
	if strings.TrimSpace(r.Kind) == "" {
		return c, fmt.Errorf("%s: kind is required (%q for every kind)", where, Any)
	}
	if len(r.JSONPointers) == 0 && len(r.ManagedFieldsManagers) == 0 {
		return c, fmt.Errorf("%s: neither jsonPointers nor managedFieldsManagers: the rule would ignore nothing", where)
	}
	for _, g := range []string{r.Name, r.Namespace} {
		if _, err := path.Match(g, ""); err != nil {
			return c, fmt.Errorf("%s: bad name or namespace pattern %q: %w", where, g, err)
		}
	}
	for _, s := range r.JSONPointers {
		p, err := jsonpointer.Parse(s)
		if err != nil {
			return c, fmt.Errorf("%s: %w", where, err)
		}
		c.pointers = append(c.pointers, p)
	}
	for _, m := range r.ManagedFieldsManagers {
		if strings.TrimSpace(m) == "" {
			return c, fmt.Errorf("%s: empty manager in managedFieldsManagers", where)
		}
	}
	return c, nil
}

// matches reports whether the rule covers obj.
func (c *compiled) matches(obj *unstructured.Unstructured) bool {
	gvk := obj.GroupVersionKind()
	if c.rule.Group != Any && c.rule.Group != gvk.Group {
		return false
	}
	if c.rule.Kind != Any && c.rule.Kind != gvk.Kind {
		return false
	}
	return globMatch(c.rule.Name, obj.GetName()) && globMatch(c.rule.Namespace, obj.GetNamespace())
}

func globMatch(pattern, s string) bool {
	if pattern == "" {
		return true
	}
	ok, _ := path.Match(pattern, s) // patterns are checked in compile
	return ok
}
