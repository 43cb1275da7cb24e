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

// object is one object ready for evaluation.
type object struct {
	ref         findings.ObjectRef
	group       string
	version     string
	isNamespace bool
	labels      map[string]string
	// value is the object as policies see it (Secret values redacted).
	value  ast.Value
	source *findings.Source
}

// newObject converts an object once for every policy.
func newObject(u *unstructured.Unstructured, source *findings.Source) (*object, error) {
	if u == nil || u.Object == nil {
		return nil, errors.New("empty object")
	}
	gvk := u.GroupVersionKind()
	if gvk.Kind == "" || u.GetAPIVersion() == "" {
		return nil, errors.New("apiVersion and kind are required")
	}
	o := &object{
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
	}
	content := u.Object
	if gvk.Group == "" && gvk.Kind == "Secret" {
		content = redactSecret(content)
	}
	v, err := ast.InterfaceToValue(content)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.ref, err)
	}
	o.value = v
	return o, nil
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

// inventory is data.inventory as Gatekeeper syncs it:
// cluster[groupVersion][kind][name] for cluster-scoped objects and
// namespace[ns][groupVersion][kind][name] for namespaced ones.
type inventory struct {
	cluster   map[string]map[string]map[string]ast.Value
	namespace map[string]map[string]map[string]map[string]ast.Value
	// nsLabels are the labels of the Namespace objects, for
	// namespaceSelector.
	nsLabels map[string]map[string]string
}

func buildInventory(objs []*object) *inventory {
	inv := &inventory{
		cluster:   map[string]map[string]map[string]ast.Value{},
		namespace: map[string]map[string]map[string]map[string]ast.Value{},
		nsLabels:  map[string]map[string]string{},
	}
	for _, o := range objs {
		if o.isNamespace {
			inv.nsLabels[o.ref.Name] = o.labels
		}
		byGV := inv.cluster
		if ns := o.ref.Namespace; ns != "" {
			if inv.namespace[ns] == nil {
				inv.namespace[ns] = map[string]map[string]map[string]ast.Value{}
			}
			byGV = inv.namespace[ns]
		}
		if byGV[o.ref.APIVersion] == nil {
			byGV[o.ref.APIVersion] = map[string]map[string]ast.Value{}
		}
		byKind := byGV[o.ref.APIVersion]
		if byKind[o.ref.Kind] == nil {
			byKind[o.ref.Kind] = map[string]ast.Value{}
		}
		byKind[o.ref.Kind][o.ref.Name] = o.value
	}
	return inv
}

func (inv *inventory) labelsOf(ns string) map[string]string { return inv.nsLabels[ns] }

// value is the inventory as one AST object.
func (inv *inventory) value() ast.Object {
	nsObj := ast.NewObject()
	for ns, byGV := range inv.namespace {
		nsObj.Insert(ast.StringTerm(ns), ast.NewTerm(gvValue(byGV)))
	}
	return ast.NewObject(
		ast.Item(ast.StringTerm("cluster"), ast.NewTerm(gvValue(inv.cluster))),
		ast.Item(ast.StringTerm("namespace"), ast.NewTerm(nsObj)),
	)
}

func gvValue(byGV map[string]map[string]map[string]ast.Value) ast.Object {
	out := ast.NewObject()
	for gv, byKind := range byGV {
		kinds := ast.NewObject()
		for kind, byName := range byKind {
			names := ast.NewObject()
			for name, v := range byName {
				names.Insert(ast.StringTerm(name), ast.NewTerm(v))
			}
			kinds.Insert(ast.StringTerm(kind), ast.NewTerm(names))
		}
		out.Insert(ast.StringTerm(gv), ast.NewTerm(kinds))
	}
	return out
}

// review is Gatekeeper's input.review for an object: an admission request
// creating it.
func (o *object) review() ast.Value {
	return ast.NewObject(
		ast.Item(ast.StringTerm("kind"), ast.ObjectTerm(
			ast.Item(ast.StringTerm("group"), ast.StringTerm(o.group)),
			ast.Item(ast.StringTerm("version"), ast.StringTerm(o.version)),
			ast.Item(ast.StringTerm("kind"), ast.StringTerm(o.ref.Kind)),
		)),
		ast.Item(ast.StringTerm("name"), ast.StringTerm(o.ref.Name)),
		ast.Item(ast.StringTerm("namespace"), ast.StringTerm(o.ref.Namespace)),
		ast.Item(ast.StringTerm("operation"), ast.StringTerm("CREATE")),
		ast.Item(ast.StringTerm("object"), ast.NewTerm(o.value)),
	)
}

func (o *object) String() string { return strings.TrimSpace(o.ref.String()) }
