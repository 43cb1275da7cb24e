package restore

import (
	"errors"
	"fmt"

	"filippo.io/age"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/kubeapply"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// item is one object of the backup, ready to apply.
type item struct {
	path string
	res  watcher.Resource // the version is the object's apiVersion
	obj  *unstructured.Unstructured
}

func (it item) id() Object {
	gvk := it.obj.GroupVersionKind()
	return Object{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: it.obj.GetNamespace(), Name: it.obj.GetName()}
}

// loader turns the files of a snapshot into items and results.
type loader struct {
	filter          *filters.Filter
	objects         []ObjectQuery
	found           []bool // per object: seen in the backup
	identities      []age.Identity
	includeInternal bool
}

// named reports whether obj is one of the objects the restore is narrowed
// to (every object when none is named).
func (l *loader) named(res watcher.Resource, obj *unstructured.Unstructured) bool {
	if len(l.objects) == 0 {
		return true
	}
	if l.found == nil {
		l.found = make([]bool, len(l.objects))
	}
	ok := false
	for i, q := range l.objects {
		if q.Matches(res, obj) {
			l.found[i], ok = true, true
		}
	}
	return ok
}

// missing returns the named objects the backup does not hold.
func (l *loader) missing() []string {
	var out []string
	for i, q := range l.objects {
		if l.found == nil || !l.found[i] {
			out = append(out, q.String())
		}
	}
	return out
}

// load reads one file. It returns the item to apply, or the Result that
// settles the file (skipped or failed), or neither when the file is out of
// the filters' scope.
func (l *loader) load(f backupFile) (*item, *Result) {
	ref, err := serializer.ParseObjectPath(f.Path)
	if err != nil {
		return nil, &Result{Path: f.Path, Action: Skipped, Reason: ReasonNotObject}
	}
	fail := func(obj *unstructured.Unstructured, err error) (*item, *Result) {
		r := &Result{Path: f.Path, Action: Failed}
		if obj != nil && obj.GetKind() != "" {
			r.Object = item{obj: obj}.id()
		}
		r.Err = &ObjectError{Path: f.Path, Object: r.Object.String(), Err: err}
		return nil, r
	}
	obj, err := decodeOne(f.Data)
	if err != nil {
		return fail(nil, err)
	}
	res, err := resourceOf(ref, obj)
	if err != nil {
		return fail(obj, err)
	}
	if ok, _ := l.filter.Allow(res, obj); !ok || !l.named(res, obj) {
		return nil, nil
	}
	if serializer.IsEncrypted(f.Data) {
		plain, err := l.decrypt(f.Data)
		if err != nil {
			return fail(obj, err)
		}
		obj = plain
		if _, err := resourceOf(ref, obj); err != nil {
			return fail(obj, fmt.Errorf("decrypted content: %w", err))
		}
	}
	it := &item{path: f.Path, res: res, obj: obj}
	if keys := redactedKeys(obj); len(keys) > 0 {
		return nil, &Result{Path: f.Path, Object: it.id(), Action: Skipped, Reason: ReasonRedacted}
	}
	if !l.includeInternal && isControlPlaneObject(res, obj) {
		return nil, &Result{Path: f.Path, Object: it.id(), Action: Skipped, Reason: ReasonControlPlane}
	}
	prepare(obj)
	return it, nil
}

func (l *loader) decrypt(data []byte) (*unstructured.Unstructured, error) {
	if len(l.identities) == 0 {
		return nil, errors.New("the file is encrypted and no age identity was given (--age-identity)")
	}
	plain, err := serializer.Decrypt(data, l.identities)
	if err != nil {
		return nil, err
	}
	return decodeOne(plain)
}

// decodeOne decodes a file that must hold exactly one object.
func decodeOne(data []byte) (*unstructured.Unstructured, error) {
	objs, err := kubeapply.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("malformed: %w", err)
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("malformed: the file holds %d objects, want 1", len(objs))
	}
	return objs[0], nil
}

// resourceOf checks that obj is the object its path names and returns its
// resource. A file whose content disagrees with its path is refused: the
// path is what filters and reports go by.
func resourceOf(ref serializer.ObjectRef, obj *unstructured.Unstructured) (watcher.Resource, error) {
	gv, err := schema.ParseGroupVersion(obj.GetAPIVersion())
	if err != nil {
		return watcher.Resource{}, fmt.Errorf("malformed: apiVersion: %w", err)
	}
	switch {
	case gv.Group != ref.Group:
		return watcher.Resource{}, fmt.Errorf("apiVersion %q does not belong to the group of its path %q", obj.GetAPIVersion(), ref.Group)
	case obj.GetName() != ref.Name:
		return watcher.Resource{}, fmt.Errorf("metadata.name %q differs from the name in its path %q", obj.GetName(), ref.Name)
	case ref.Namespace == "" && obj.GetNamespace() != "":
		return watcher.Resource{}, fmt.Errorf("metadata.namespace %q set on a cluster-scoped path", obj.GetNamespace())
	case ref.Namespace != "" && obj.GetNamespace() == "":
		obj.SetNamespace(ref.Namespace)
	case obj.GetNamespace() != ref.Namespace:
		return watcher.Resource{}, fmt.Errorf("metadata.namespace %q differs from the namespace in its path %q", obj.GetNamespace(), ref.Namespace)
	}
	return watcher.Resource{
		GVR:        schema.GroupVersionResource{Group: ref.Group, Version: gv.Version, Resource: ref.Resource},
		Kind:       obj.GetKind(),
		Namespaced: ref.Namespace != "",
	}, nil
}

// serverFields are set by the API server; a backup written by record has
// none of them, a hand-made one may.
var serverFields = [][]string{
	{"metadata", "uid"},
	{"metadata", "resourceVersion"},
	{"metadata", "generation"},
	{"metadata", "creationTimestamp"},
	{"metadata", "selfLink"},
	{"metadata", "managedFields"},
	{"metadata", "deletionTimestamp"},
	{"metadata", "deletionGracePeriodSeconds"},
	{"status"},
}

// prepare makes a recorded object ready to apply.
func prepare(obj *unstructured.Unstructured) {
	for _, f := range serverFields {
		unstructured.RemoveNestedField(obj.Object, f...)
	}
	gvk := obj.GroupVersionKind()
	switch {
	case serializer.IsSecret(obj.GroupVersionKind().GroupKind()):
		stripFingerprint(obj)
	case gvk.Group == "" && gvk.Kind == "PersistentVolume":
		// The claim's uid is the recorded cluster's. Without it the volume is
		// pre-bound to the claim by namespace and name, and binds to the
		// restored claim instead of being released.
		unstructured.RemoveNestedField(obj.Object, "spec", "claimRef", "uid")
		unstructured.RemoveNestedField(obj.Object, "spec", "claimRef", "resourceVersion")
	}
}
