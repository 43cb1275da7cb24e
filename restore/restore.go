package restore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/internal/applyorder"
)

// restorer applies the items of one restore.
type restorer struct {
	cfg Config
	log *slog.Logger
	t   *target
	// In a dry run nothing is created, so objects that depend on a
	// Namespace or CRD the run "creates" cannot be checked by the server.
	pendingNS   map[string]bool
	pendingKind map[schema.GroupKind]bool
}

// Run restores the backup cfg.Source names into the cluster restCfg points
// to and returns what happened to each file. Configuration, repository and
// ref problems are returned before anything is applied. When objects fail,
// the others are restored all the same and the error wraps ErrIncomplete;
// the Summary is complete in that case too.
func Run(ctx context.Context, restCfg *rest.Config, cfg Config) (Summary, error) {
	if err := cfg.validate(); err != nil {
		return Summary{}, err
	}
	filter, err := newFilter(cfg.Filters)
	if err != nil {
		return Summary{}, err
	}
	repo, err := openRepository(ctx, cfg.Source)
	if err != nil {
		return Summary{}, fmt.Errorf("restore: %w", err)
	}
	commit, err := resolve(repo, cfg.Source.Ref)
	if err != nil {
		return Summary{}, fmt.Errorf("restore: %w", err)
	}
	snap, err := readSnapshot(ctx, commit, cfg.Source.Cluster)
	if err != nil {
		return Summary{}, fmt.Errorf("restore: %w", err)
	}
	objects, err := aliasesOf(snap.Files, snap.Cluster).resolveAll(cfg.Objects)
	if err != nil {
		return Summary{}, fmt.Errorf("restore: %w", err)
	}
	r := &restorer{
		cfg: cfg, log: cfg.Logger,
		pendingNS: map[string]bool{}, pendingKind: map[schema.GroupKind]bool{},
	}
	if cfg.DryRun != DryRunClient {
		if r.t, err = newTarget(restCfg, cfg); err != nil {
			return Summary{}, fmt.Errorf("restore: %w", err)
		}
	}
	sum := Summary{Commit: snap.Commit.String(), Cluster: snap.Cluster, DryRun: cfg.DryRun, Started: time.Now().UTC()}
	r.log.Info("restoring", "commit", sum.Commit, "cluster", sum.Cluster, "files", len(snap.Files), "dryRun", cfg.DryRun)

	l := &loader{filter: filter, objects: objects, identities: cfg.Identities, includeInternal: cfg.IncludeControlPlane}
	var items []item
	for _, f := range snap.Files {
		it, res := l.load(f)
		switch {
		case res != nil:
			sum.Results = append(sum.Results, *res)
		case it != nil:
			items = append(items, *it)
		}
	}
	if miss := l.missing(); len(miss) > 0 {
		return Summary{}, fmt.Errorf("%w: %s at %s (history lists the commits that hold an object)", ErrObjectNotFound, strings.Join(miss, ", "), commit.Hash.String()[:12])
	}
	if red := sum.Redacted(); len(red) > 0 {
		names := make([]string, len(red))
		for i, res := range red {
			names[i] = res.Object.NamespacedName()
		}
		r.log.Warn("redacted Secrets are skipped: their values are not in the backup", "secrets", names)
	}
	sortItems(items)
	if cfg.DryRun == DryRunClient {
		sum.Results = append(sum.Results, planned(items)...)
	} else {
		sum.Results = append(sum.Results, r.applyAll(ctx, items)...)
		r.t.logThrottling(r.log)
	}
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("restore interrupted: %w", err)
	}
	if n := sum.Count(Failed); n > 0 {
		return sum, fmt.Errorf("%w: %d of %d objects failed", ErrIncomplete, n, len(sum.Results))
	}
	return sum, nil
}

func (r *restorer) logResult(res Result) {
	switch res.Action {
	case Failed:
		r.log.Warn("object not restored", "path", res.Path, "error", res.Err)
	case Created, Updated:
		r.log.Info(string(res.Action), "object", res.Object.String(), "dryRun", r.cfg.DryRun)
	default:
		r.log.Debug(string(res.Action), "object", res.Object.String(), "reason", res.Reason)
	}
}

// restoreOne restores one object. It is called for the objects of a level
// at once: it only reads the restorer.
func (r *restorer) restoreOne(ctx context.Context, it item) Result {
	res := Result{Path: it.path, Object: it.id()}
	fail := func(err error) Result {
		res.Action, res.Err = Failed, &ObjectError{Path: it.path, Object: res.Object.String(), Err: safeError(it, err)}
		return res
	}
	gvk := it.obj.GroupVersionKind()
	ns := it.obj.GetNamespace()
	if r.cfg.DryRun != "" && (r.pendingKind[gvk.GroupKind()] || r.pendingNS[ns]) {
		res.Action, res.Reason = Created, "not checked by the server: it depends on a Namespace or CRD this restore creates"
		return res
	}
	m, err := r.t.mapping(gvk)
	if err != nil {
		return fail(err)
	}
	if namespaced := m.Scope.Name() == "namespace"; namespaced != (ns != "") {
		return fail(fmt.Errorf("the cluster serves %s as %s, the backup holds it as %s", gvk.Kind, scope(namespaced), scope(!namespaced)))
	}
	existing, err := r.t.get(ctx, m, ns, it.obj.GetName())
	if err != nil {
		return fail(fmt.Errorf("read the live object: %w", err))
	}
	if existing != nil && r.cfg.Existing == ExistingSkip {
		res.Action, res.Reason = Skipped, ReasonExists
		return res
	}
	obj := it.obj.DeepCopy()
	note, err := r.relinkOwners(ctx, obj)
	if err != nil {
		return fail(err)
	}
	res.Reason = note
	applied, err := r.t.apply(ctx, m, obj, r.cfg.DryRun == DryRunServer)
	if err != nil {
		return fail(err)
	}
	switch {
	case existing == nil:
		res.Action = Created
	case changed(existing, applied):
		res.Action = Updated
	default:
		res.Action = Unchanged
	}
	return res
}

// created notes, in a dry run, what objects of later levels will depend
// on.
func (r *restorer) created(it item) {
	if r.cfg.DryRun == "" {
		return
	}
	switch it.res.GroupKind() {
	case schema.GroupKind{Kind: "Namespace"}:
		r.pendingNS[it.obj.GetName()] = true
	case applyorder.CRD:
		if gk, ok := crdKind(it.obj); ok {
			r.pendingKind[gk] = true
		}
	}
}

func scope(namespaced bool) string {
	if namespaced {
		return "namespaced"
	}
	return "cluster-scoped"
}

// volatileMeta changes on every write whatever was written.
var volatileMeta = []string{"resourceVersion", "managedFields", "generation"}

// changed reports whether applying changed anything but bookkeeping.
func changed(before, after *unstructured.Unstructured) bool {
	a, b := before.DeepCopy(), after.DeepCopy()
	for _, f := range volatileMeta {
		unstructured.RemoveNestedField(a.Object, "metadata", f)
		unstructured.RemoveNestedField(b.Object, "metadata", f)
	}
	return !reflect.DeepEqual(a.Object, b.Object)
}

// crdKind returns the group and kind a CRD defines.
func crdKind(crd *unstructured.Unstructured) (schema.GroupKind, bool) {
	group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "kind")
	return schema.GroupKind{Group: group, Kind: kind}, group != "" && kind != ""
}

// errNotEstablished is the failure of a CRD that was applied but never
// became Established.
var errNotEstablished = errors.New("applied, but not Established in time")

// planned is a client-side dry run's outcome: every object in scope, in
// the order a restore applies them.
func planned(items []item) []Result {
	out := make([]Result, len(items))
	for i, it := range items {
		out[i] = Result{Path: it.path, Object: it.id(), Action: Planned}
		if len(it.obj.GetOwnerReferences()) > 0 {
			out[i].Reason = "ownerReferences are re-pointed to the owners' uids in the cluster when restored"
		}
	}
	return out
}
