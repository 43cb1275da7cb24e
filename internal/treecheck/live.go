package treecheck

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/kube"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// pageSize is the page size of the fresh LISTs.
const pageSize = 500

// liveObject is one object in scope, read by a fresh LIST.
type liveObject struct {
	res watcher.Resource
	obj *unstructured.Unstructured
}

// ident names an object the way an HPA's scale target does.
type ident struct {
	group, kind, namespace, name string
}

// listLive discovers the kinds the filter wants and lists each of them,
// page by page, keeping the objects the filter allows, keyed by the path
// the recorder writes them to.
func listLive(ctx context.Context, restCfg *rest.Config, cluster string, f *filters.Filter) (map[string]liveObject, error) {
	clients, err := kube.New(restCfg, kube.Limits{QPS: 200, Burst: 400})
	if err != nil {
		return nil, err
	}
	dyn := clients.Dynamic
	served, err := watcher.Discover(clients.Discovery, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	out := map[string]liveObject{}
	for _, res := range served {
		if !f.WantResource(res) {
			continue
		}
		items, err := listAll(ctx, dyn.Resource(res.GVR))
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", res, err)
		}
		for i := range items {
			obj := &items[i]
			if ok, _ := f.Allow(res, obj); !ok {
				continue
			}
			p := serializer.ObjectPath(serializer.ObjectRef{
				Cluster:   cluster,
				Group:     res.GVR.Group,
				Resource:  res.GVR.Resource,
				Namespace: obj.GetNamespace(),
				Name:      obj.GetName(),
			})
			if prev, dup := out[p]; dup {
				return nil, fmt.Errorf("%s and %s %s/%s both map to %s", prev.res, res, obj.GetNamespace(), obj.GetName(), p)
			}
			out[p] = liveObject{res: res, obj: obj}
		}
	}
	return out, nil
}

// listAll reads every page of a resource. A continue token that expired
// (410 after a compaction) restarts the listing, a few times at most.
func listAll(ctx context.Context, client dynamic.ResourceInterface) ([]unstructured.Unstructured, error) {
	const attempts = 3
	var err error
	for range attempts {
		var items []unstructured.Unstructured
		opts := metav1.ListOptions{Limit: pageSize}
		for {
			var page *unstructured.UnstructuredList
			page, err = client.List(ctx, opts)
			if err != nil {
				break
			}
			items = append(items, page.Items...)
			if opts.Continue = page.GetContinue(); opts.Continue == "" {
				return items, nil
			}
		}
		if !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
			return nil, err
		}
	}
	return nil, err
}

// autoscaled answers the serializer's "is this object scaled by an HPA"
// from the HPAs in scope, as the recorder does from the ones it watches.
func autoscaled(live map[string]liveObject) func(gk schema.GroupKind, ns, name string) bool {
	targets := map[ident]bool{}
	for _, l := range live {
		if l.res.GVR.Group != "autoscaling" || l.res.Kind != "HorizontalPodAutoscaler" {
			continue
		}
		spec := l.obj.Object
		apiVersion, _, _ := unstructured.NestedString(spec, "spec", "scaleTargetRef", "apiVersion")
		kind, _, _ := unstructured.NestedString(spec, "spec", "scaleTargetRef", "kind")
		name, _, _ := unstructured.NestedString(spec, "spec", "scaleTargetRef", "name")
		if kind == "" || name == "" {
			continue
		}
		group := ""
		if i := strings.Index(apiVersion, "/"); i >= 0 {
			group = apiVersion[:i]
		}
		targets[ident{group: group, kind: kind, namespace: l.obj.GetNamespace(), name: name}] = true
	}
	return func(gk schema.GroupKind, ns, name string) bool {
		return targets[ident{group: gk.Group, kind: gk.Kind, namespace: ns, name: name}]
	}
}
