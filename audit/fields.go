package audit

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/fieldpath"
	"github.com/clusterscribe/clusterscribe/internal/jsonvalue"
)

// fieldNode is one node of a managedFields field set (fieldsV1), read
// from the decoded JSON as a walk reaches it: a comparison looks at a few
// paths of each field set, never at all of it.
type fieldNode struct {
	raw map[string]any
	// whole: the entry is "{}": the field is owned as a whole (a scalar, or
	// an atomic map or list).
	whole bool
	// self: the entry holds ".": the map or list item itself is owned
	// (its existence), besides the children listed.
	self bool
	// fields caches the "f:<name>" children read so far; items are the
	// list item children ("k:{...}", "v:...", "i:N"), read on first use.
	fields      map[string]*fieldNode
	items       []itemNode
	itemsParsed bool
}

// newFieldNode reads a field set node; nil when v is not an object.
func newFieldNode(v any) *fieldNode {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	_, self := m["."]
	return &fieldNode{raw: m, whole: len(m) == 0, self: self}
}

// field returns the child for a map key, or nil.
func (n *fieldNode) field(key string) *fieldNode {
	if c, ok := n.fields[key]; ok {
		return c
	}
	v, ok := n.raw["f:"+key]
	if !ok {
		return nil
	}
	c := newFieldNode(v)
	if n.fields == nil {
		n.fields = map[string]*fieldNode{}
	}
	n.fields[key] = c
	return c
}

// parseItems reads the list item children.
func (n *fieldNode) parseItems() {
	n.itemsParsed = true
	for k, v := range n.raw {
		switch {
		case strings.HasPrefix(k, "k:"):
			var keys map[string]any
			if json.Unmarshal([]byte(k[2:]), &keys) == nil {
				n.items = append(n.items, itemNode{by: 'k', keys: keys, node: newFieldNode(v)})
			}
		case strings.HasPrefix(k, "v:"):
			var val any
			if json.Unmarshal([]byte(k[2:]), &val) == nil {
				b, _ := json.Marshal(val)
				n.items = append(n.items, itemNode{by: 'v', value: b, node: newFieldNode(v)})
			}
		case strings.HasPrefix(k, "i:"):
			if i, err := strconv.Atoi(k[2:]); err == nil {
				n.items = append(n.items, itemNode{by: 'i', index: i, node: newFieldNode(v)})
			}
		}
	}
}

type itemNode struct {
	by    byte           // 'k' (key fields), 'v' (value) or 'i' (index)
	keys  map[string]any // for 'k'
	value []byte         // canonical JSON, for 'v'
	index int            // for 'i'
	node  *fieldNode
}

// manager is one managedFields entry with its field set parsed.
type manager struct {
	name        string
	operation   string
	subresource string
	apiVersion  string
	time        time.Time
	root        *fieldNode
}

func (m *manager) attribution() findings.Attribution {
	a := findings.Attribution{Manager: m.name, Operation: m.operation, Time: m.time}
	if m.subresource != "" {
		a.Operation += " (" + m.subresource + ")"
	}
	return a
}

// managers parses obj's managedFields. Entries for the status subresource,
// and entries recorded at another apiVersion than obj's (their paths may
// differ), are left out. managedFields that do not have the shape the API
// server gives them are read as none, as GetManagedFields reads them.
//
// The field sets are read from the decoded object itself: no JSON round
// trip, which matters when thousands of objects are compared.
func managers(obj *unstructured.Unstructured) []*manager {
	entries, ok := managedFieldsOf(obj)
	if !ok {
		return nil
	}
	apiVersion := obj.GetAPIVersion()
	var out []*manager
	for _, e := range entries {
		if e.subresource == "status" || (e.apiVersion != "" && e.apiVersion != apiVersion) {
			continue
		}
		m := &manager{name: e.manager, operation: e.operation, subresource: e.subresource, apiVersion: e.apiVersion, time: e.time}
		if e.hasFields {
			m.root = newFieldNode(e.fields)
		}
		out = append(out, m)
	}
	return out
}

// managedEntry is one managedFields entry as decoded JSON holds it.
type managedEntry struct {
	manager, operation, subresource, apiVersion string
	time                                        time.Time
	fields                                      any
	hasFields                                   bool
}

// managedFieldsOf reads metadata.managedFields; ok is false when an entry
// is not an object or one of its fields has the wrong type.
func managedFieldsOf(obj *unstructured.Unstructured) ([]managedEntry, bool) {
	v, found, err := unstructured.NestedFieldNoCopy(obj.Object, "metadata", "managedFields")
	if !found || err != nil {
		return nil, false
	}
	items, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]managedEntry, 0, len(items))
	for _, item := range items {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, false
		}
		var e managedEntry
		var fieldsType string
		for _, f := range [...]struct {
			key string
			dst *string
		}{
			{"manager", &e.manager},
			{"operation", &e.operation},
			{"subresource", &e.subresource},
			{"apiVersion", &e.apiVersion},
			{"fieldsType", &fieldsType},
		} {
			switch s := m[f.key].(type) {
			case nil:
			case string:
				*f.dst = s
			default:
				return nil, false
			}
		}
		switch t := m["time"].(type) {
		case nil:
		case string:
			pt, err := time.Parse(time.RFC3339, t)
			if err != nil {
				return nil, false
			}
			e.time = pt.UTC()
		default:
			return nil, false
		}
		e.fields, e.hasFields = m["fieldsV1"]
		if e.fields == nil {
			e.hasFields = false
		}
		out = append(out, e)
	}
	return out, true
}

// matchItem returns the child node for a list item.
func (n *fieldNode) matchItem(item any, index int) *fieldNode {
	if !n.itemsParsed {
		n.parseItems()
	}
	var enc []byte
	for _, it := range n.items {
		switch it.by {
		case 'i':
			if it.index == index {
				return it.node
			}
		case 'v':
			if enc == nil {
				enc, _ = json.Marshal(item)
			}
			if string(enc) == string(it.value) {
				return it.node
			}
		case 'k':
			if m, ok := item.(map[string]any); ok && keysMatch(it.keys, m) {
				return it.node
			}
		}
	}
	return nil
}

func keysMatch(keys, item map[string]any) bool {
	for k, want := range keys {
		got, ok := item[k]
		if !ok {
			return false
		}
		if same, known := sameJSON(want, got); known {
			if !same {
				return false
			}
			continue
		}
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(got)
		if string(a) != string(b) {
			return false
		}
	}
	return true
}

// sameJSON compares, without encoding them, the values item keys usually
// hold (strings, and numbers decoded as float64 against int64), as their
// JSON encodings would compare; known is false for anything else.
func sameJSON(a, b any) (same, known bool) {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok || !utf8.ValidString(x) || !utf8.ValidString(y) {
			return false, false
		}
		return x == y, true
	case float64:
		// Below 2^53 an integral float64 encodes as its exact digits.
		const exact = 1 << 53
		y, ok := b.(int64)
		xi, integral := jsonvalue.Integral(x)
		if !ok || !integral || y >= exact || y <= -exact {
			return false, false
		}
		return xi == y, true
	}
	return false, false
}

// ownership says how a manager owns a path.
type ownership int

const (
	notOwned ownership = iota
	// within: the manager owns something inside the path.
	within
	// owned: the manager owns the path itself (or an atomic field holding it).
	owned
)

// owns walks the manager's field set along p in the live object.
func (m *manager) owns(live map[string]any, p fieldpath.Path) ownership {
	n := m.root
	if n == nil || n.whole {
		return notOwned
	}
	var cur any = live
	for _, s := range p {
		if n.whole {
			return owned // an atomic ancestor
		}
		var next *fieldNode
		if !s.Item {
			next = n.field(s.Key)
			mm, _ := cur.(map[string]any)
			cur = mm[s.Key]
		} else {
			l, _ := cur.([]any)
			it, idx := findItem(l, s)
			if idx < 0 {
				return notOwned
			}
			next = n.matchItem(it, idx)
			cur = it
		}
		if next == nil {
			return notOwned
		}
		n = next
	}
	if n.whole || n.self {
		return owned
	}
	return within
}

// latest returns the attribution of the most recent entry, or nil.
func latest(ms []*manager) []findings.Attribution {
	var best *manager
	for _, m := range ms {
		if best == nil || m.time.After(best.time) {
			best = m
		}
	}
	if best == nil {
		return nil
	}
	return []findings.Attribution{best.attribution()}
}

// attributions dedups entries by manager and operation, most recent first.
func attributions(ms []*manager) []findings.Attribution {
	seen := map[string]int{}
	var out []findings.Attribution
	for _, m := range ms {
		a := m.attribution()
		k := a.Manager + "\x00" + a.Operation
		if i, ok := seen[k]; ok {
			if a.Time.After(out[i].Time) {
				out[i].Time = a.Time
			}
			continue
		}
		seen[k] = len(out)
		out = append(out, a)
	}
	sortAttributions(out)
	return out
}

func sortAttributions(as []findings.Attribution) {
	slices.SortStableFunc(as, func(a, b findings.Attribution) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		if c := strings.Compare(a.Manager, b.Manager); c != 0 {
			return c
		}
		return strings.Compare(a.Operation, b.Operation)
	})
}

// isApply reports whether an entry comes from server-side apply: it owns
// exactly what its manager applied, never the server's defaults.
func (m *manager) isApply() bool {
	return m.operation == string(metav1.ManagedFieldsOperationApply)
}
