package policies

import (
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// redacted replaces every Secret value policies see.
const redacted = "<redacted>"

// lastAppliedAnnotation holds a plaintext copy of a Secret applied with
// kubectl.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// object is one object to evaluate, described for matching; its content
// is converted for OPA only when a policy or data.inventory needs it.
type object struct {
	ref         findings.ObjectRef
	group       string
	version     string
	isNamespace bool
	labels      map[string]string
	source      *findings.Source
	content     *unstructured.Unstructured
	// value is the object as policies see it (Secret values redacted),
	// when it is held for data.inventory; otherwise see input.
	value ast.Value
	// admission is set when the object comes with an admission request
	// (Review); otherwise input.review is a CREATE of the object.
	admission *admission
	// expansion is set on an object an ExpansionTemplate made of another.
	expansion *expansion
}

// newObject describes an object for matching.
func newObject(u *unstructured.Unstructured, source *findings.Source) (*object, error) {
	if u == nil || u.Object == nil {
		return nil, errors.New("empty object")
	}
	gvk := u.GroupVersionKind()
	if gvk.Kind == "" || u.GetAPIVersion() == "" {
		return nil, errors.New("apiVersion and kind are required")
	}
	return &object{
		ref: findings.ObjectRef{
			APIVersion: u.GetAPIVersion(),
			Kind:       gvk.Kind,
			Namespace:  u.GetNamespace(),
			Name:       u.GetName(),
		},
		group:       gvk.Group,
		version:     gvk.Version,
		isNamespace: gvk.Group == "" && gvk.Kind == "Namespace",
		labels:      u.GetLabels(),
		source:      source,
		content:     u,
	}, nil
}

// input returns the object as policies see it: its value, converted now
// unless it is held for the inventory.
func (o *object) input() (ast.Value, error) {
	if o.value != nil {
		return o.value, nil
	}
	return o.convert()
}

// convert converts the content for OPA, Secret values redacted.
func (o *object) convert() (ast.Value, error) {
	content := o.content.Object
	if o.group == "" && o.ref.Kind == "Secret" {
		content = redactSecret(content)
	}
	v, err := ast.InterfaceToValue(content)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.ref, err)
	}
	return v, nil
}

// redactSecret returns a copy of a Secret whose data and stringData values
// are replaced (keys kept), without kubectl's plaintext last-applied copy.
// Policies never see a secret value, so none can reach a report.
func redactSecret(in map[string]any) map[string]any {
	out := maps.Clone(in)
	for _, field := range []string{"data", "stringData"} {
		data, ok := in[field].(map[string]any)
		if !ok {
			if _, present := in[field]; present {
				delete(out, field)
			}
			continue
		}
		red := make(map[string]any, len(data))
		for k := range data {
			red[k] = redacted
		}
		out[field] = red
	}
	if md, ok := in["metadata"].(map[string]any); ok {
		if ann, ok := md["annotations"].(map[string]any); ok {
			if _, ok := ann[lastAppliedAnnotation]; ok {
				md = maps.Clone(md)
				ann = maps.Clone(ann)
				delete(ann, lastAppliedAnnotation)
				md["annotations"] = ann
				out["metadata"] = md
			}
		}
	}
	return out
}

// review is Gatekeeper's input.review for an object: an admission request
// creating it, or the request it came with.
func (o *object) review(value ast.Value) ast.Value {
	base := ast.NewObject(
		ast.Item(ast.StringTerm("kind"), ast.ObjectTerm(
			ast.Item(ast.StringTerm("group"), ast.StringTerm(o.group)),
			ast.Item(ast.StringTerm("version"), ast.StringTerm(o.version)),
			ast.Item(ast.StringTerm("kind"), ast.StringTerm(o.ref.Kind)),
		)),
		ast.Item(ast.StringTerm("name"), ast.StringTerm(o.ref.Name)),
		ast.Item(ast.StringTerm("namespace"), ast.StringTerm(o.ref.Namespace)),
		ast.Item(ast.StringTerm("operation"), ast.StringTerm("CREATE")),
		ast.Item(ast.StringTerm("object"), ast.NewTerm(value)),
	)
	if o.admission != nil {
		return o.admission.reviewValue(base, value)
	}
	return base
}

func (o *object) String() string { return strings.TrimSpace(o.ref.String()) }
