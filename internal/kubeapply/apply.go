package kubeapply

import (
	"context"
	"fmt"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/clusterscribe/clusterscribe/internal/applyorder"
	"github.com/clusterscribe/clusterscribe/internal/kube"
)

// Applier applies objects with server-side apply.
type Applier struct {
	dyn          dynamic.Interface
	mapper       *restmapper.DeferredDiscoveryRESTMapper
	fieldManager string
}

// New returns an Applier using fieldManager as the apply manager.
// cfg's QPS and Burst, when set, are its rate limit.
func New(cfg *rest.Config, fieldManager string) (*Applier, error) {
	clients, err := kube.New(cfg, kube.Limits{QPS: cfg.QPS, Burst: cfg.Burst})
	if err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	return &Applier{dyn: clients.Dynamic, mapper: clients.Mapper, fieldManager: fieldManager}, nil
}

// Sort orders objects for applying (stable; see applyorder.Compare).
func Sort(objs []*unstructured.Unstructured) { applyorder.Sort(objs, applyorder.KeyOf) }

// ApplyAll applies objs in dependency order; CRDs are waited for until
// established before anything else is applied.
func (a *Applier) ApplyAll(ctx context.Context, objs []*unstructured.Unstructured) error {
	objs = slices.Clone(objs)
	Sort(objs)
	crds := 0
	for _, o := range objs {
		if o.GroupVersionKind().GroupKind() == applyorder.CRD {
			crds++
		}
	}
	for i, o := range objs {
		if i == crds && crds > 0 {
			if err := a.waitEstablished(ctx, objs[:crds]); err != nil {
				return err
			}
			a.mapper.Reset()
		}
		if err := a.Apply(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// Apply server-side applies one object (forcing conflicts).
func (a *Applier) Apply(ctx context.Context, o *unstructured.Unstructured) error {
	gvk := o.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("apply %s %s: %w", gvk.Kind, o.GetName(), err)
	}
	var ri dynamic.ResourceInterface = a.dyn.Resource(m.Resource)
	if m.Scope.Name() == "namespace" {
		ns := o.GetNamespace()
		if ns == "" {
			ns = "default"
		}
		ri = a.dyn.Resource(m.Resource).Namespace(ns)
	}
	force := true
	if _, err := ri.Apply(ctx, o.GetName(), o, metav1.ApplyOptions{FieldManager: a.fieldManager, Force: force}); err != nil {
		return fmt.Errorf("apply %s %s/%s: %w", gvk.Kind, o.GetNamespace(), o.GetName(), err)
	}
	return nil
}

func (a *Applier) waitEstablished(ctx context.Context, crds []*unstructured.Unstructured) error {
	m, err := a.mapper.RESTMapping(crds[0].GroupVersionKind().GroupKind(), crds[0].GroupVersionKind().Version)
	if err != nil {
		return fmt.Errorf("wait for CRDs: %w", err)
	}
	for _, crd := range crds {
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			got, err := a.dyn.Resource(m.Resource).Get(ctx, crd.GetName(), metav1.GetOptions{})
			if err != nil {
				return false, nil //nolint:nilerr // not there yet: keep waiting
			}
			conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
			for _, c := range conds {
				if cm, ok := c.(map[string]any); ok && cm["type"] == "Established" && cm["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return fmt.Errorf("CRD %s not established: %w", crd.GetName(), err)
		}
	}
	return nil
}
