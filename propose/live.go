package propose

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/kube"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// LiveReader reads one live object: the one call of propose that touches
// the cluster besides the audit.
type LiveReader interface {
	Get(ctx context.Context, ref findings.ObjectRef) (*unstructured.Unstructured, error)
}

// kubeReader reads with a dynamic client under client-side rate limits.
type kubeReader struct {
	dyn    dynamic.Interface
	mapper *restmapper.DeferredDiscoveryRESTMapper
}

func newKubeReader(cfg *rest.Config, o watcher.Options) (*kubeReader, error) {
	clients, err := kube.New(cfg, o.Limits())
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	return &kubeReader{dyn: clients.Dynamic, mapper: clients.Mapper}, nil
}

func (k *kubeReader) Get(ctx context.Context, ref findings.ObjectRef) (*unstructured.Unstructured, error) {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ref, err)
	}
	m, err := k.mapper.RESTMapping(gv.WithKind(ref.Kind).GroupKind(), gv.Version)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ref, err)
	}
	var ri dynamic.ResourceInterface = k.dyn.Resource(m.Resource)
	if ref.Namespace != "" {
		ri = k.dyn.Resource(m.Resource).Namespace(ref.Namespace)
	}
	obj, err := ri.Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ref, err)
	}
	return obj, nil
}
