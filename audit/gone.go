package audit

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Annotations that make an object a hook: run around an install or sync,
// then deleted by the tool that ran it.
const (
	helmHookAnnotation   = "helm.sh/hook"
	argoCDHookAnnotation = "argocd.argoproj.io/hook"
)

// goneAsMeant reports whether a declared object is meant to go away, so
// that its absence is not drift, and why:
//   - a Helm hook (annotation helm.sh/hook) or an Argo CD hook
//     (argocd.argoproj.io/hook): the tool deletes it when it has run;
//   - a Job with spec.ttlSecondsAfterFinished: the TTL controller deletes
//     it that long after it finished.
func goneAsMeant(obj *unstructured.Unstructured) (string, bool) {
	ann := obj.GetAnnotations()
	if h, ok := ann[helmHookAnnotation]; ok {
		return fmt.Sprintf("a Helm hook (%s: %s): Helm deletes it once it has run", helmHookAnnotation, h), true
	}
	if h, ok := ann[argoCDHookAnnotation]; ok {
		return fmt.Sprintf("an Argo CD hook (%s: %s): Argo CD deletes it once it has run", argoCDHookAnnotation, h), true
	}
	gvk := obj.GroupVersionKind()
	if gvk.Group == "batch" && gvk.Kind == "Job" {
		if ttl, found, err := unstructured.NestedFieldNoCopy(obj.Object, "spec", "ttlSecondsAfterFinished"); found && err == nil && ttl != nil {
			return fmt.Sprintf("a Job with ttlSecondsAfterFinished: %v: removed that long after it finished", ttl), true
		}
	}
	return "", false
}
