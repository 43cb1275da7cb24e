package restore

import (
	"context"
	"fmt"
	"log/slog"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/clusterscribe/clusterscribe/internal/kube"
)

// crdResource is where CustomResourceDefinitions are read from.
var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// target is the cluster a restore writes to. Every request goes through one
// adaptive client-side rate limiter.
type target struct {
	dyn     dynamic.Interface
	mapper  *restmapper.DeferredDiscoveryRESTMapper
	limiter *kube.Adaptive
}

func newTarget(cfg *rest.Config, c Config) (*target, error) {
	clients, err := kube.New(cfg, kube.Limits{QPS: c.QPS, Burst: c.Burst, Adaptive: true, Logger: c.Logger})
	if err != nil {
		return nil, err
	}
	limiter, _ := clients.Limiter.(*kube.Adaptive)
	return &target{dyn: clients.Dynamic, mapper: clients.Mapper, limiter: limiter}, nil
}

// logThrottling says how often the API server pushed back, if it did.
func (t *target) logThrottling(log *slog.Logger) {
	if t == nil || t.limiter == nil {
		return
	}
	if th := t.limiter.Throttling(); th.Throttled > 0 {
		log.Info("the API server throttled the restore", "responses429", th.Throttled, "lowestQPS", th.LowestQPS, "qps", th.QPS)
	}
}

// mapping returns the resource serving gvk.
func (t *target) mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := t.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, fmt.Errorf("the cluster does not serve %s: %w", gvk, err)
	}
	return m, nil
}

// resetMapping forgets discovery, so kinds added since are found.
func (t *target) resetMapping() { t.mapper.Reset() }

func (t *target) client(m *meta.RESTMapping, namespace string) dynamic.ResourceInterface {
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return t.dyn.Resource(m.Resource).Namespace(namespace)
	}
	return t.dyn.Resource(m.Resource)
}

// get returns the object, or nil when it does not exist.
func (t *target) get(ctx context.Context, m *meta.RESTMapping, namespace, name string) (*unstructured.Unstructured, error) {
	obj, err := t.client(m, namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return obj, nil
}

// apply server-side applies obj as FieldManager, taking over conflicting
// fields: the backup is what the object must be.
func (t *target) apply(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, dryRun bool) (*unstructured.Unstructured, error) {
	opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: true}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	return t.client(m, obj.GetNamespace()).Apply(ctx, obj.GetName(), obj, opts)
}

// crdEstablished reports whether the named CRD is Established.
func (t *target) crdEstablished(ctx context.Context, name string) (bool, error) {
	crd, err := t.dyn.Resource(crdResource).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	for _, c := range conds {
		if cm, ok := c.(map[string]any); ok && cm["type"] == "Established" && cm["status"] == "True" {
			return true, nil
		}
	}
	return false, nil
}
