package watcher

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// identity is the metadata a cached object keeps: what the informer's
// cache keys and resource versions need, a quarter of the size of a whole
// metav1.ObjectMeta. Other fields read as empty and are not set, as
// metav1.Object allows for objects that do not support a field.
type identity struct {
	name, namespace, resourceVersion string
	uid                              types.UID
}

var _ metav1.Object = (*identity)(nil)

func (m *identity) GetNamespace() string                        { return m.namespace }
func (m *identity) SetNamespace(ns string)                      { m.namespace = ns }
func (m *identity) GetName() string                             { return m.name }
func (m *identity) SetName(name string)                         { m.name = name }
func (m *identity) GetUID() types.UID                           { return m.uid }
func (m *identity) SetUID(uid types.UID)                        { m.uid = uid }
func (m *identity) GetResourceVersion() string                  { return m.resourceVersion }
func (m *identity) SetResourceVersion(v string)                 { m.resourceVersion = v }
func (*identity) GetGenerateName() string                       { return "" }
func (*identity) SetGenerateName(string)                        {}
func (*identity) GetGeneration() int64                          { return 0 }
func (*identity) SetGeneration(int64)                           {}
func (*identity) GetSelfLink() string                           { return "" }
func (*identity) SetSelfLink(string)                            {}
func (*identity) GetCreationTimestamp() metav1.Time             { return metav1.Time{} }
func (*identity) SetCreationTimestamp(metav1.Time)              {}
func (*identity) GetDeletionTimestamp() *metav1.Time            { return nil }
func (*identity) SetDeletionTimestamp(*metav1.Time)             {}
func (*identity) GetDeletionGracePeriodSeconds() *int64         { return nil }
func (*identity) SetDeletionGracePeriodSeconds(*int64)          {}
func (*identity) GetLabels() map[string]string                  { return nil }
func (*identity) SetLabels(map[string]string)                   {}
func (*identity) GetAnnotations() map[string]string             { return nil }
func (*identity) SetAnnotations(map[string]string)              {}
func (*identity) GetFinalizers() []string                       { return nil }
func (*identity) SetFinalizers([]string)                        {}
func (*identity) GetOwnerReferences() []metav1.OwnerReference   { return nil }
func (*identity) SetOwnerReferences([]metav1.OwnerReference)    {}
func (*identity) GetManagedFields() []metav1.ManagedFieldsEntry { return nil }
func (*identity) SetManagedFields([]metav1.ManagedFieldsEntry)  {}
