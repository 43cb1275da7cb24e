package audit

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/kube"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// hpaGK is read even when out of scope: it says whose replicas an
// autoscaler owns.
var hpaGK = schema.GroupKind{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}

// Run audits the cluster restCfg points to against the declared state:
// it reads the declared repo, lists the kinds in scope once (one LIST per
// kind under the client-side rate limits), compares, and returns the
// report. Drift is in the report, not an error: errors are what stopped
// the audit. Malformed manifests are problems in the report; the rest is
// audited.
func Run(ctx context.Context, restCfg *rest.Config, cfg Config) (*findings.Report, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	scope, exclusions, err := scopes(cfg.Filters)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The declared state is read while the cluster is discovered and, when
	// what to list does not depend on it, listed.
	readDeclared := startDeclared(ctx, cfg.Declared)
	watch := map[schema.GroupVersionResource]bool{}
	wopts := cfg.Watcher
	wopts.Want = func(r watcher.Resource) bool { return watch[r.GVR] }
	w, served, byGK, err := discover(restCfg, wopts, scope, readDeclared)
	if err != nil {
		return nil, err
	}
	// Policies judge every kind in scope, and --include-kinds names the
	// kinds: then the declared kinds add at most the few the filters leave
	// out, listed afterwards.
	var listing <-chan liveResult
	if cfg.Policies != nil || len(cfg.Filters.IncludeKinds) > 0 {
		maps.Copy(watch, kindsToList(cfg, served, declaredSet{}, scope, exclusions))
		listing = startLive(ctx, w)
	}

	set, err := readDeclared()
	if err != nil {
		return nil, err
	}
	cfg.Logger.Info("declared state read", "source", set.Location, "revision", set.Revision, "objects", len(set.Objects), "problems", len(set.Problems))

	decl, unserved := resolveDeclared(set.Objects, byGK, scope, cfg.Namespace)
	set.Objects = nil // decl holds what is compared; the rest can go
	sc := newDeclaredSet(decl)
	want := kindsToList(cfg, served, sc, scope, exclusions)
	live, err := gatherLive(ctx, restCfg, cfg, w, listing, watch, want)
	if err != nil {
		return nil, err
	}

	clients, err := kube.New(restCfg, wopts.Limits())
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	dyn := clients.Dynamic
	decl, versionSkipped, versionProblems := matchVersions(ctx, dyn, decl, live)
	copts := cfg.Compare
	copts.InScope = unmanagedScope(cfg.Filters, sc, live, scope, exclusions)
	if cfg.ServerSide {
		copts.DryRun = serverSideRunner(dyn, byGK)
	}
	keys, liveObjs := liveInOrder(live)
	// Policies judge the live objects while they are compared: both only
	// read them.
	judged := startPolicies(ctx, cfg.Policies, live, keys, scope, exclusions, cfg.Cluster)
	defer func() { cancel(); judged() }()
	compared, err := compare(ctx, decl, liveObjs, copts)
	if err != nil {
		return nil, err
	}
	addChangedBy(cfg.ChangedBy, compared.Findings, byGK)
	countUnaudited(compared.Summary, unserved, versionSkipped, versionProblems)
	report := &findings.Report{
		GeneratedAt: cfg.Now().UTC(), Cluster: cfg.Cluster, Declared: set.Location, DeclaredRevision: set.Revision,
		Findings: append(compared.Findings, unserved...),
		Problems: slices.Concat(set.Problems, versionProblems, compared.Problems),
		Summary:  compared.Summary,
	}
	if err := judged().addTo(report); err != nil {
		return nil, err
	}
	report.Sort()
	return report, nil
}

// resolveDeclared gives declared objects the namespace kubectl would
// (the default one for namespaced kinds, none for cluster-scoped ones) and
// keeps those in the user's scope. Objects of kinds the cluster does not
// serve are MissingLive findings.
func resolveDeclared(objs []Object, byGK map[schema.GroupKind]watcher.Resource, scope *filters.Filter, namespace string) ([]Object, []findings.Finding) {
	var out []Object
	var unserved []findings.Finding
	for _, d := range objs {
		obj := d.Object
		gvk := obj.GroupVersionKind()
		r, ok := byGK[gvk.GroupKind()]
		if !ok {
			src := d.Source
			unserved = append(unserved, findings.Finding{
				Type: findings.MissingLive, Object: refOf(obj), Source: &src,
				Message: fmt.Sprintf("declared, but the cluster does not serve %s", gvk.GroupKind()),
			})
			continue
		}
		switch ns := obj.GetNamespace(); {
		case !r.Namespaced && ns != "":
			obj = withNamespace(obj, "")
		case r.Namespaced && ns == "":
			obj = withNamespace(obj, namespace)
		}
		if ok, _ := scope.Allow(r, obj); !ok {
			continue
		}
		out = append(out, Object{Object: obj, Source: d.Source})
	}
	return out, unserved
}

// withNamespace returns a copy of obj in namespace ns ("" for none) that
// shares all but its top level and metadata with obj: declared objects
// are read, never written, after this.
func withNamespace(obj *unstructured.Unstructured, ns string) *unstructured.Unstructured {
	out := &unstructured.Unstructured{Object: maps.Clone(obj.Object)}
	if meta, ok := obj.Object["metadata"].(map[string]any); ok {
		out.Object["metadata"] = maps.Clone(meta)
	}
	out.SetNamespace(ns)
	return out
}

// matchVersions rereads, at the declared version, the live objects the
// watcher listed at another one (the preferred version), so that both
// sides have the same shape. A declared version the cluster does not serve
// is a problem; that object is left out of the comparison (returned with
// the problem at the same index), and its live counterpart out of the
// Unmanaged findings.
func matchVersions(ctx context.Context, dyn dynamic.Interface, decl []Object, live map[objectKey]liveObject) ([]Object, []Object, []findings.Problem) {
	var out, skipped []Object
	var problems []findings.Problem
	for _, d := range decl {
		k := keyOf(d.Object)
		l, ok := live[k]
		if !ok || l.obj.GetAPIVersion() == d.Object.GetAPIVersion() {
			out = append(out, d)
			continue
		}
		got, err := getAt(ctx, dyn, l.resource, d.Object.GroupVersionKind().Version, l.obj)
		if err != nil {
			problems = append(problems, findings.Problem{
				Source:  d.Source,
				Message: fmt.Sprintf("%s: not compared, the cluster serves it as %s: %v", refOf(d.Object), l.obj.GetAPIVersion(), err),
			})
			l.skip = true
			live[k] = l
			skipped = append(skipped, d)
			continue
		}
		live[k] = liveObject{obj: got, resource: l.resource}
		out = append(out, d)
	}
	return out, skipped, problems
}

// unmanagedScope decides which undeclared live objects are Unmanaged: in
// the user's scope, covered by the declared set (see declaredSet.covers) —
// with --include-kinds and --namespaces replacing the declared kinds and
// namespaces when given — and not dropped by a default exclusion the user
// kept.
func unmanagedScope(fo filters.Options, sc declaredSet, live map[objectKey]liveObject,
	scope, exclusions *filters.Filter,
) func(*unstructured.Unstructured) bool {
	byKinds, byNamespaces := len(fo.IncludeKinds) > 0, len(fo.Namespaces) > 0
	return func(obj *unstructured.Unstructured) bool {
		l, ok := live[keyOf(obj)]
		if !ok || l.skip {
			return false
		}
		if ok, _ := scope.Allow(l.resource, obj); !ok {
			return false
		}
		ns := obj.GetNamespace()
		covered := sc.covers(l.resource.GroupKind(), ns) ||
			(byKinds && (ns == "" || byNamespaces || sc.namespaces[ns])) ||
			(byNamespaces && ns != "" && sc.kinds[l.resource.GroupKind()])
		if !covered {
			return false
		}
		ok, _ = exclusions.Allow(l.resource, obj)
		return ok
	}
}

// watched lists the resources to read: the declared kinds, every kind
// --include-kinds names, every namespaced kind when the declared set
// claims whole namespaces, and HorizontalPodAutoscalers (they say whose
// replicas are the autoscaler's).
func watched(served []watcher.Resource, sc declaredSet, fo filters.Options, scope, exclusions *filters.Filter) map[schema.GroupVersionResource]bool {
	watch := map[schema.GroupVersionResource]bool{}
	for _, r := range served {
		switch {
		case r.GroupKind() == hpaGK, sc.kinds[r.GroupKind()]:
			watch[r.GVR] = true
		case !scope.WantResource(r) || !exclusions.WantResource(r):
		case len(fo.IncludeKinds) > 0, r.Namespaced && len(sc.owned) > 0:
			watch[r.GVR] = true
		}
	}
	return watch
}

// scopes returns the user's scope (no default exclusion) and the filters
// with the default exclusions.
func scopes(opts filters.Options) (scope, exclusions *filters.Filter, err error) {
	scopeOpts := opts
	scopeOpts.Include = []string{filters.IncludeAll}
	if scope, err = filters.New(scopeOpts); err != nil {
		return nil, nil, err
	}
	if exclusions, err = filters.New(opts); err != nil {
		return nil, nil, err
	}
	return scope, exclusions, nil
}

// discover finds what the cluster serves and checks the scope against it.
// On failure the declared state's error, when there is one, wins: as if it
// had been read first.
func discover(restCfg *rest.Config, wopts watcher.Options, scope *filters.Filter, readDeclared func() (*declared.Set, error)) (*watcher.Watcher, []watcher.Resource, map[schema.GroupKind]watcher.Resource, error) {
	w, err := watcher.New(restCfg, wopts)
	var served []watcher.Resource
	if err == nil {
		served, err = w.Discover()
	}
	if err == nil {
		err = scope.Validate(served)
	}
	if err != nil {
		if _, derr := readDeclared(); derr != nil {
			return nil, nil, nil, derr
		}
		return nil, nil, nil, err
	}
	byGK := map[schema.GroupKind]watcher.Resource{}
	for _, r := range served {
		byGK[r.GroupKind()] = r
	}
	return w, served, byGK, nil
}

// gatherLive lists the kinds wanted: all of them now, or, when a listing
// already runs, the kinds it left out.
func gatherLive(ctx context.Context, restCfg *rest.Config, cfg Config, w *watcher.Watcher, listing <-chan liveResult,
	watch, want map[schema.GroupVersionResource]bool,
) (map[objectKey]liveObject, error) {
	var live map[objectKey]liveObject
	if listing == nil {
		maps.Copy(watch, want)
		var err error
		if live, err = collectLive(ctx, w); err != nil {
			return nil, err
		}
	} else {
		r := <-listing
		if r.err != nil {
			return nil, r.err
		}
		live = r.objects
		maps.DeleteFunc(want, func(gvr schema.GroupVersionResource, _ bool) bool { return watch[gvr] })
		if len(want) > 0 {
			more, err := listMore(ctx, restCfg, cfg.Watcher, want)
			if err != nil {
				return nil, err
			}
			maps.Copy(live, more)
			maps.Copy(watch, want)
		}
	}
	cfg.Logger.Info("live state read", "kinds", len(watch), "objects", len(live))
	return live, nil
}

// serverSideRunner dry-runs declarations through the resources served.
func serverSideRunner(dyn dynamic.Interface, byGK map[schema.GroupKind]watcher.Resource) DryRunner {
	resources := map[objectKey]watcher.Resource{}
	for gk, r := range byGK {
		resources[objectKey{group: gk.Group, kind: gk.Kind}] = r
	}
	return &kubeDryRunner{dyn: dyn, resources: resources}
}

// liveInOrder returns the live objects' keys, sorted, and the objects in
// that order.
func liveInOrder(live map[objectKey]liveObject) ([]objectKey, []*unstructured.Unstructured) {
	keys := sortedKeys(live)
	objs := make([]*unstructured.Unstructured, 0, len(live))
	for _, k := range keys {
		objs = append(objs, live[k].obj)
	}
	return keys, objs
}

// countUnaudited adds to the coverage summary the declarations of kinds the
// cluster does not serve (drifted) and those skipped for their version.
func countUnaudited(sum *findings.Summary, unserved []findings.Finding, versionSkipped []Object, versionProblems []findings.Problem) {
	for _, f := range unserved {
		sum.Add(f.Object, f.Source, findings.Drifted, false, "")
	}
	for i, d := range versionSkipped {
		src := d.Source
		sum.Add(refOf(d.Object), &src, findings.Skipped, false, versionProblems[i].Message)
	}
}

// kindsToList are the kinds to list: those in scope of a declaration in sc
// (or of the kind filters) and, with policies, every kind they judge.
func kindsToList(cfg Config, served []watcher.Resource, sc declaredSet, scope, exclusions *filters.Filter) map[schema.GroupVersionResource]bool {
	want := watched(served, sc, cfg.Filters, scope, exclusions)
	if cfg.Policies != nil {
		policyKinds(want, served, scope, exclusions)
	}
	return want
}
