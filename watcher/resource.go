package watcher

import "k8s.io/apimachinery/pkg/runtime/schema"

// Resource is one kind the cluster serves, at its preferred version.
type Resource struct {
	GVR        schema.GroupVersionResource
	Kind       string
	Namespaced bool
}

// GroupKind returns the resource's group and kind.
func (r Resource) GroupKind() schema.GroupKind {
	return schema.GroupKind{Group: r.GVR.Group, Kind: r.Kind}
}

// String renders the resource as kind.group (kind alone for the core group).
func (r Resource) String() string {
	if r.GVR.Group == "" {
		return r.Kind
	}
	return r.Kind + "." + r.GVR.Group
}
