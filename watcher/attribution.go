package watcher

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Attribution says who last changed an object, from its managedFields.
type Attribution struct {
	Manager   string
	Operation string
	Time      time.Time
}

// LastChange returns the managedFields entry with the latest time, ignoring
// entries for subresources (status, scale): they are not what a backup
// records. It returns nil when the object has no such entry.
func LastChange(obj *unstructured.Unstructured) *Attribution {
	var best *Attribution
	for _, mf := range obj.GetManagedFields() {
		if mf.Subresource != "" || mf.Time == nil {
			continue
		}
		if best == nil || mf.Time.After(best.Time) {
			best = &Attribution{Manager: mf.Manager, Operation: string(mf.Operation), Time: mf.Time.UTC()}
		}
	}
	return best
}

// trimManagedFields keeps who and when of each managedFields entry and drops
// the field sets, which are most of an object's size in memory.
func trimManagedFields(obj *unstructured.Unstructured) {
	mfs := obj.GetManagedFields()
	if len(mfs) == 0 {
		return
	}
	trimmed := make([]metav1.ManagedFieldsEntry, 0, len(mfs))
	for _, mf := range mfs {
		mf.FieldsV1 = nil
		mf.FieldsType = ""
		trimmed = append(trimmed, mf)
	}
	obj.SetManagedFields(trimmed)
}
