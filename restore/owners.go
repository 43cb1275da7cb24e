package restore

import (
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// relinkOwners points obj's ownerReferences at the owners' uids in the
// target cluster: the recorded uids are the old cluster's. A reference
// whose owner is not there is dropped, because the garbage collector
// deletes objects whose owners do not exist. The note lists what was
// dropped.
func (r *restorer) relinkOwners(ctx context.Context, obj *unstructured.Unstructured) (string, error) {
	refs := obj.GetOwnerReferences()
	if len(refs) == 0 {
		return "", nil
	}
	kept := make([]metav1.OwnerReference, 0, len(refs))
	var dropped []string
	for _, ref := range refs {
		gv, err := schema.ParseGroupVersion(ref.APIVersion)
		if err != nil {
			dropped = append(dropped, ref.Kind+"/"+ref.Name)
			continue
		}
		m, err := r.t.mapping(gv.WithKind(ref.Kind))
		if err != nil {
			dropped = append(dropped, ref.Kind+"/"+ref.Name)
			continue
		}
		owner, err := r.t.get(ctx, m, obj.GetNamespace(), ref.Name)
		if err != nil {
			return "", fmt.Errorf("read owner %s %s: %w", ref.Kind, ref.Name, err)
		}
		if owner == nil {
			dropped = append(dropped, ref.Kind+"/"+ref.Name)
			continue
		}
		ref.UID = owner.GetUID()
		kept = append(kept, ref)
	}
	obj.SetOwnerReferences(kept)
	if len(kept) == 0 {
		unstructured.RemoveNestedField(obj.Object, "metadata", "ownerReferences")
	}
	if len(dropped) == 0 {
		return "", nil
	}
	return "ownerReferences dropped, owner not in the cluster: " + strings.Join(dropped, ", "), nil
}
