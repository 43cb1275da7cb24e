package record

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// ident names an object the way references to it do (HPA scale targets).
type ident struct {
	Group, Kind, Namespace, Name string
}

// entry is an object in scope: its JSON (shared with the watcher's cache)
// is decoded only when the object is rendered.
type entry struct {
	res             *watcher.Resource // shared by every object of the kind
	namespace, name string
	raw             []byte
}

func entryOf(r *watcher.Resource, obj *unstructured.Unstructured, raw []byte) entry {
	if raw == nil {
		raw, _ = obj.MarshalJSON() // an event made without its JSON
	}
	return entry{res: r, namespace: obj.GetNamespace(), name: obj.GetName(), raw: raw}
}

// object decodes the entry's own copy of the object.
func (e entry) object() (*unstructured.Unstructured, error) {
	return watcher.Decode(e.raw)
}

// state is what the recorder knows: the live objects in scope, the files at
// the branch tip and what changed since the last commit. It is owned by the
// run loop's goroutine alone.
type state struct {
	cluster string
	live    map[string]entry          // path -> latest object
	idents  map[ident]string          // ident -> path
	dirty   map[string]struct{}       // paths to render at the next flush
	known   map[string]committer.Hash // path -> blob at the branch tip
	scaled  map[string]ident          // HPA path -> the object it scales
	targets map[ident]int             // objects scaled by at least one HPA
	fprints map[string]string
	// gone names objects deleted since the last flush, for commit messages.
	gone map[string]string // path -> secret fingerprint of the file at the tip (encrypt mode)
	// seen is the last change of each object since the last flush, kept
	// when changes are attributed to people.
	seen map[string]seenChange
	// kinds holds the one copy of each resource that entries point to.
	kinds map[watcher.Resource]*watcher.Resource
}

func newState(cluster string, known map[string]committer.Hash) *state {
	return &state{
		cluster: cluster,
		live:    map[string]entry{},
		kinds:   map[watcher.Resource]*watcher.Resource{},
		idents:  map[ident]string{},
		dirty:   map[string]struct{}{},
		known:   known,
		scaled:  map[string]ident{},
		targets: map[ident]int{},
		fprints: map[string]string{},
		gone:    map[string]string{},
		seen:    map[string]seenChange{},
	}
}

func (s *state) path(r watcher.Resource, obj *unstructured.Unstructured) string {
	return serializer.ObjectPath(serializer.ObjectRef{
		Cluster:   s.cluster,
		Group:     r.GVR.Group,
		Resource:  r.GVR.Resource,
		Namespace: obj.GetNamespace(),
		Name:      obj.GetName(),
	})
}

func identOf(r watcher.Resource, obj *unstructured.Unstructured) ident {
	return ident{Group: r.GVR.Group, Kind: r.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// upsert records the latest version of an object; raw is its JSON.
func (s *state) upsert(r watcher.Resource, obj *unstructured.Unstructured, raw []byte) {
	p := s.path(r, obj)
	s.live[p] = entryOf(s.kind(r), obj, raw)
	s.idents[identOf(r, obj)] = p
	s.dirty[p] = struct{}{}
	if isHPA(r) {
		s.setScaleTarget(p, scaleTarget(obj))
	}
}

// kind returns the one copy of r that entries share.
func (s *state) kind(r watcher.Resource) *watcher.Resource {
	k, ok := s.kinds[r]
	if !ok {
		k = &r
		s.kinds[r] = k
	}
	return k
}

// remove records that an object is gone.
func (s *state) remove(r watcher.Resource, obj *unstructured.Unstructured) {
	p := s.path(r, obj)
	s.gone[p] = label(entry{res: s.kind(r), namespace: obj.GetNamespace(), name: obj.GetName()})
	delete(s.live, p)
	delete(s.idents, identOf(r, obj))
	s.dirty[p] = struct{}{}
	if isHPA(r) {
		s.setScaleTarget(p, nil)
	}
}

// setScaleTarget updates which object an HPA scales; the objects whose
// "is autoscaled" answer changes are rendered again.
func (s *state) setScaleTarget(hpaPath string, target *ident) {
	if old, ok := s.scaled[hpaPath]; ok {
		if target != nil && *target == old {
			return
		}
		s.targets[old]--
		if s.targets[old] <= 0 {
			delete(s.targets, old)
		}
		s.markIdent(old)
		delete(s.scaled, hpaPath)
	}
	if target != nil {
		s.scaled[hpaPath] = *target
		s.targets[*target]++
		s.markIdent(*target)
	}
}

func (s *state) markIdent(id ident) {
	if p, ok := s.idents[id]; ok {
		s.dirty[p] = struct{}{}
	}
}

// autoscaled answers the serializer's question for the object being
// rendered.
func (s *state) autoscaled(gk schema.GroupKind, namespace, name string) bool {
	return s.targets[ident{Group: gk.Group, Kind: gk.Kind, Namespace: namespace, Name: name}] > 0
}

// markAll marks every live object and every known file of this cluster
// for rendering: the reconcile after the initial sync.
func (s *state) markAll() {
	for p := range s.live {
		s.dirty[p] = struct{}{}
	}
	for p := range s.known {
		if _, err := serializer.ParseObjectPath(p); err == nil {
			s.dirty[p] = struct{}{}
		}
	}
}

func isHPA(r watcher.Resource) bool {
	return r.GVR.Group == "autoscaling" && r.Kind == "HorizontalPodAutoscaler"
}

func scaleTarget(hpa *unstructured.Unstructured) *ident {
	apiVersion, _, _ := unstructured.NestedString(hpa.Object, "spec", "scaleTargetRef", "apiVersion")
	kind, _, _ := unstructured.NestedString(hpa.Object, "spec", "scaleTargetRef", "kind")
	name, _, _ := unstructured.NestedString(hpa.Object, "spec", "scaleTargetRef", "name")
	if kind == "" || name == "" {
		return nil
	}
	group := ""
	if i := strings.Index(apiVersion, "/"); i >= 0 {
		group = apiVersion[:i]
	}
	return &ident{Group: group, Kind: kind, Namespace: hpa.GetNamespace(), Name: name}
}

// labelOf names the object whose file is p, for an object that is gone:
// from its last event when there was one this run, else from the path.
func (s *state) labelOf(p string) string {
	if l, ok := s.gone[p]; ok {
		return l
	}
	return labelFromPath(p)
}
