package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/defaults"
	"github.com/clusterscribe/clusterscribe/audit/ignore"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// Object is a declared object with the file and line it was declared at.
type Object = declared.Object

// DefaultAppliers returns the field managers that apply declared manifests
// with update operations (client-side apply, create, Helm). An update
// entry owns the server's defaults along with what was applied, so the
// fields such a manager owns are drift only when its last applied
// configuration names them. Server-side apply entries own what was
// applied, and the defaults the server gave inside what they own as a
// whole (atomic lists and structs): those are told apart by their exact
// values (package audit/defaults), so no list is needed for them.
func DefaultAppliers() []string {
	return []string{
		"kubectl-client-side-apply", "kubectl-create", "before-first-apply",
		"argocd-controller", "argocd-application-controller", "kustomize-controller",
		"helm-controller", "helm",
	}
}

// DefaultControllers returns the field managers of the control plane's
// controllers and of autoscalers: the fields they own are never drift.
func DefaultControllers() []string {
	return []string{
		"kube-controller-manager", "cloud-controller-manager", "kube-scheduler", "kubelet",
		"vpa-recommender", "vpa-updater", "cluster-autoscaler",
	}
}

// DefaultFieldManager is the manager server-side dry-runs apply as.
const DefaultFieldManager = "clusterscribe-audit"

// DryRunner predicts what the API server would store if an object were
// applied: the one call of Compare that touches the cluster.
type DryRunner interface {
	// DryRunApply server-side applies obj as fieldManager (forcing
	// conflicts) without persisting anything, and returns the result.
	DryRunApply(ctx context.Context, obj *unstructured.Unstructured, fieldManager string) (*unstructured.Unstructured, error)
}

// CompareOptions tune Compare. The zero value compares with the defaults.
type CompareOptions struct {
	// Strict reports every difference: fields the server defaulted,
	// controllers' fields, autoscaled replicas, zero values and the
	// built-in ignore rules are no longer excused. User ignore rules still
	// apply.
	Strict bool
	// Ignore are the user's ignore rules (Argo CD ignoreDifferences).
	Ignore []ignore.Rule
	// Serializer configures the normalization both sides go through
	// (DisableRules, ExtraRules). Autoscaled is set by Compare.
	Serializer serializer.Options
	// Appliers are the field managers that apply the declared repo with
	// update operations; nil means DefaultAppliers().
	Appliers []string
	// Controllers are the field managers whose fields are never drift; nil
	// means DefaultControllers().
	Controllers []string
	// InScope decides whether a live object that nothing declares is
	// reported as Unmanaged; nil means: it is in a Namespace the declared
	// set declares (which it then claims whole), or it is of a declared
	// kind and, when namespaced, in a namespace holding declared objects;
	// and no default exclusion of package filters drops it
	// (controller-owned children, token Secrets, ...). The system
	// namespaces, default ServiceAccounts, kube-root-ca.crt ConfigMaps and
	// objects being deleted are never reported, whatever InScope says.
	InScope func(obj *unstructured.Unstructured) bool
	// DryRun, when set, compares against the server's dry-run apply of
	// each declared object instead of the declared object itself, so that
	// defaults and canonical forms are exact.
	DryRun DryRunner
	// FieldManager is the manager dry-runs apply as; default
	// DefaultFieldManager.
	FieldManager string
}

// comparer is CompareOptions checked and compiled.
type comparer struct {
	strict       bool
	ignore       *ignore.Set
	ser          *serializer.Serializer
	appliers     map[string]bool
	controllers  map[string]bool
	inScope      func(*unstructured.Unstructured) bool
	dryRun       DryRunner
	fieldManager string
	// defaults are the server's defaults: of the built-in kinds, and of
	// the custom resources of the CRDs declared or live.
	defaults *defaults.Set
	// dropsManagedFields and dropsStatus: the serializer drops these
	// fields whole, so they are left out before it copies the object.
	dropsManagedFields, dropsStatus bool
}

func (o CompareOptions) compile(decl []Object, live []*unstructured.Unstructured) (*comparer, error) {
	c := &comparer{strict: o.Strict, dryRun: o.DryRun, fieldManager: o.FieldManager, inScope: o.InScope}
	if c.fieldManager == "" {
		c.fieldManager = DefaultFieldManager
	}
	var err error
	if c.ignore, err = ignore.Compile(o.Ignore, o.Strict); err != nil {
		return nil, err
	}
	appliers, controllers := o.Appliers, o.Controllers
	if appliers == nil {
		appliers = DefaultAppliers()
	}
	if controllers == nil {
		controllers = DefaultControllers()
	}
	c.appliers, c.controllers = setOf(appliers), setOf(controllers)
	sopts := o.Serializer
	sopts.Secrets = serializer.SecretsRedact
	sopts.AgeRecipients = nil
	sopts.Autoscaled = nil
	if !o.Strict {
		sopts.Autoscaled = autoscaledTargets(decl, live)
	}
	if c.ser, err = serializer.New(sopts); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	c.dropsManagedFields = dropsWhole(sopts.DisableRules, "/metadata/managedFields")
	c.dropsStatus = dropsWhole(sopts.DisableRules, "/status")
	if c.inScope == nil {
		c.inScope = declaredScope(decl)
	}
	c.defaults = defaultsOf(decl, live)
	return c, nil
}

var crdGK = schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}

// defaultsOf returns the server's defaults for the built-in kinds and the
// custom resources the CRDs among decl and live define (the live
// definition wins). A CRD whose schema cannot be read gives its custom
// resources no defaults; comparing them does not depend on it otherwise.
func defaultsOf(decl []Object, live []*unstructured.Unstructured) *defaults.Set {
	var crds []*unstructured.Unstructured
	for _, d := range decl {
		if d.Object.GroupVersionKind().GroupKind() == crdGK {
			crds = append(crds, d.Object)
		}
	}
	for _, l := range live {
		if l.GroupVersionKind().GroupKind() == crdGK {
			crds = append(crds, l)
		}
	}
	s, _ := defaults.New(crds)
	return s
}

// dropsWhole reports whether a default normalization rule that is not
// disabled drops the field at pointer from every kind.
func dropsWhole(disabled []string, pointer string) bool {
	for _, r := range serializer.DefaultRules() {
		if len(r.Kinds) == 0 && slices.Equal(r.Pointers, []string{pointer}) && !slices.Contains(disabled, r.Name) {
			return true
		}
	}
	return false
}

func setOf(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// autoscaledTargets collects what HorizontalPodAutoscalers, live or
// declared, scale: their spec.replicas belongs to the autoscaler.
func autoscaledTargets(decl []Object, live []*unstructured.Unstructured) func(schema.GroupKind, string, string) bool {
	targets := map[objectKey]bool{}
	add := func(hpa *unstructured.Unstructured) {
		if hpa.GetKind() != "HorizontalPodAutoscaler" || hpa.GroupVersionKind().Group != "autoscaling" {
			return
		}
		ref, _, _ := unstructured.NestedMap(hpa.Object, "spec", "scaleTargetRef")
		apiVersion, _ := ref["apiVersion"].(string)
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		gv, _ := schema.ParseGroupVersion(apiVersion)
		targets[objectKey{group: gv.Group, kind: kind, namespace: hpa.GetNamespace(), name: name}] = true
	}
	for _, d := range decl {
		add(d.Object)
	}
	for _, l := range live {
		add(l)
	}
	return func(gk schema.GroupKind, ns, name string) bool {
		return targets[objectKey{group: gk.Group, kind: gk.Kind, namespace: ns, name: name}]
	}
}

// declaredScope is the default Unmanaged scope (see CompareOptions.InScope).
func declaredScope(decl []Object) func(*unstructured.Unstructured) bool {
	sc := newDeclaredSet(decl)
	return func(obj *unstructured.Unstructured) bool {
		if !sc.covers(obj.GroupVersionKind().GroupKind(), obj.GetNamespace()) {
			return false
		}
		ok, _ := defaultExclusions().Allow(resourceOf(obj), obj)
		return ok
	}
}

// declaredSet is what the declared objects claim: their kinds, the
// namespaces they live in, and the namespaces they declare as Namespace
// objects, which they claim whole.
type declaredSet struct {
	kinds      map[schema.GroupKind]bool
	namespaces map[string]bool // holding a declared object
	owned      map[string]bool // declared as Namespace objects
}

var namespaceGK = schema.GroupKind{Kind: "Namespace"}

func newDeclaredSet(decl []Object) declaredSet {
	s := declaredSet{kinds: map[schema.GroupKind]bool{}, namespaces: map[string]bool{}, owned: map[string]bool{}}
	for _, d := range decl {
		gk := d.Object.GroupVersionKind().GroupKind()
		s.kinds[gk] = true
		if ns := d.Object.GetNamespace(); ns != "" {
			s.namespaces[ns] = true
		}
		if gk == namespaceGK {
			s.owned[d.Object.GetName()] = true
		}
	}
	return s
}

// covers reports whether an object of kind gk in namespace ns ("" for
// cluster-scoped) is one the declared set should account for: of a
// declared kind, in a namespace holding declared objects — or anything in
// a declared Namespace.
func (s declaredSet) covers(gk schema.GroupKind, ns string) bool {
	if ns != "" && s.owned[ns] {
		return true
	}
	return s.kinds[gk] && (ns == "" || s.namespaces[ns])
}

// objectKey identifies an object across API versions.
type objectKey struct {
	group, kind, namespace, name string
}

func keyOf(obj *unstructured.Unstructured) objectKey {
	gvk := obj.GroupVersionKind()
	return objectKey{group: gvk.Group, kind: gvk.Kind, namespace: obj.GetNamespace(), name: obj.GetName()}
}

// sortedKeys returns the keys of an object index in a stable order.
func sortedKeys[V any](m map[objectKey]V) []objectKey {
	keys := make([]objectKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b objectKey) int {
		return cmp.Or(
			strings.Compare(a.group, b.group), strings.Compare(a.kind, b.kind),
			strings.Compare(a.namespace, b.namespace), strings.Compare(a.name, b.name),
		)
	})
	return keys
}
