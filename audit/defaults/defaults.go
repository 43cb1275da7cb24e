// Package defaults gives a declared object the values the API server
// would give the fields it leaves unset, offline and exactly:
//
//   - built-in kinds get the defaults of the upstream defaulting functions
//     kube-apiserver runs on every write (which include the `default`s of
//     the OpenAPI schema it publishes for them), read from builtin.json, a
//     table generated from k8s.io/kubernetes by deploy/local/defaults for
//     the Kubernetes version the project builds against;
//   - custom resources get the defaults of their CRD's structural schema,
//     applied by apiextensions' own defaulting algorithm.
//
// Defaults that depend on other fields of the object (a container's
// imagePullPolicy follows its image's tag) are marked conditional in the
// table and never applied: a default is applied only when it is the same
// whatever the rest of the object holds. The one default of object
// metadata, a Namespace's kubernetes.io/metadata.name label (its name,
// set by SetDefaults_Namespace), is applied as upstream does.
package defaults

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

//go:embed builtin.json
var builtinJSON []byte

// table is builtin.json as the generator writes it.
type table struct {
	KubernetesVersion string           `json:"kubernetesVersion"`
	Kinds             map[string][]def `json:"kinds"`
}

type def struct {
	Path        string `json:"path"`
	Value       any    `json:"value"`
	Conditional bool   `json:"conditional"`
}

// rule is one unconditional default, its path split into steps ("[]"
// for every item of a list).
type rule struct {
	steps []string
	value any
}

var builtin = sync.OnceValues(func() (table, error) {
	var t table
	if err := utiljson.Unmarshal(builtinJSON, &t); err != nil {
		return t, fmt.Errorf("defaults: builtin.json: %w", err)
	}
	return t, nil
})

// builtinRules are the unconditional rules by "apiVersion kind".
var builtinRules = sync.OnceValue(func() map[string][]rule {
	t, err := builtin()
	if err != nil {
		panic(err) // the embedded table is checked by the package's tests
	}
	out := make(map[string][]rule, len(t.Kinds))
	for k, defs := range t.Kinds {
		for _, d := range defs {
			if d.Conditional {
				continue
			}
			out[k] = append(out[k], rule{steps: splitPath(d.Path), value: d.Value})
		}
	}
	return out
})

// KubernetesVersion is the Kubernetes version the built-in table was
// generated from.
func KubernetesVersion() string {
	t, err := builtin()
	if err != nil {
		panic(err)
	}
	return t.KubernetesVersion
}

func splitPath(p string) []string {
	var steps []string
	for _, s := range strings.Split(p, ".") {
		name, lists := s, 0
		for strings.HasSuffix(name, "[]") {
			name, lists = strings.TrimSuffix(name, "[]"), lists+1
		}
		steps = append(steps, name)
		for range lists {
			steps = append(steps, "[]")
		}
	}
	return steps
}

// namespaceNameLabel is the label the server gives every Namespace.
const namespaceNameLabel = "kubernetes.io/metadata.name"

// Set knows the defaults of the built-in kinds and of the custom
// resources of the CRDs it was made with.
type Set struct {
	crds map[string]*crdSchema // by "apiVersion kind"
}

// New returns the defaults of the built-in kinds and of the custom
// resources the CRDs define. A CRD whose schema cannot be read is left
// out, and its error returned with the Set.
func New(crds []*unstructured.Unstructured) (*Set, error) {
	s := &Set{crds: map[string]*crdSchema{}}
	var errs []error
	for _, c := range crds {
		if err := s.addCRD(c); err != nil {
			errs = append(errs, fmt.Errorf("defaults: CustomResourceDefinition %s: %w", c.GetName(), err))
		}
	}
	if len(errs) > 0 {
		return s, errs[0]
	}
	return s, nil
}

// Apply returns a copy of obj with the defaults the server would give it,
// or nil when none is known for its kind.
func (s *Set) Apply(obj *unstructured.Unstructured) map[string]any {
	k := obj.GetAPIVersion() + " " + obj.GetKind()
	rules, isBuiltin := builtinRules()[k]
	crd := s.crds[k]
	if !isBuiltin && crd == nil && k != "v1 Namespace" {
		return nil
	}
	out := runtime.DeepCopyJSON(obj.Object)
	for _, r := range rules {
		applyRule(out, r.steps, r.value)
	}
	if k == "v1 Namespace" && obj.GetName() != "" {
		meta, _ := out["metadata"].(map[string]any)
		labels, _ := meta["labels"].(map[string]any)
		if labels == nil {
			labels = map[string]any{}
			meta["labels"] = labels
		}
		if _, set := labels[namespaceNameLabel]; !set {
			labels[namespaceNameLabel] = obj.GetName()
		}
	}
	if crd != nil {
		crd.apply(out)
	}
	return out
}

// applyRule sets value at steps below v where the field is absent and its
// parent present.
func applyRule(v any, steps []string, value any) {
	s := steps[0]
	if s == "[]" {
		l, _ := v.([]any)
		for _, it := range l {
			applyRule(it, steps[1:], value)
		}
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	if len(steps) == 1 {
		if _, set := m[s]; !set {
			m[s] = runtime.DeepCopyJSONValue(value)
		}
		return
	}
	if c, ok := m[s]; ok {
		applyRule(c, steps[1:], value)
	}
}
