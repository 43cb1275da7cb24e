package audit

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// fieldNode is one node of a managedFields field set (fieldsV1).
type fieldNode struct {
	// whole: the entry is "{}": the field is owned as a whole (a scalar, or
	// an atomic map or list).
	whole bool
	// self: the entry holds ".": the map or list item itself is owned
	// (its existence), besides the children listed.
	self bool
	// fields are the "f:<name>" children; items the list item children
	// ("k:{...}", "v:...", "i:N").
	fields map[string]*fieldNode
	items  []itemNode
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
// differ), are left out.
func managers(obj *unstructured.Unstructured) []*manager {
	var out []*manager
	for _, e := range obj.GetManagedFields() {
		if e.Subresource == "status" || (e.APIVersion != "" && e.APIVersion != obj.GetAPIVersion()) {
			continue
		}
		m := &manager{name: e.Manager, operation: string(e.Operation), subresource: e.Subresource, apiVersion: e.APIVersion}
		if e.Time != nil {
			m.time = e.Time.UTC()
		}
		if e.FieldsV1 != nil {
			m.root = parseFieldSet(e.FieldsV1.GetRawBytes())
		}
		out = append(out, m)
	}
	return out
}

func parseFieldSet(raw []byte) *fieldNode {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	n := &fieldNode{whole: len(m) == 0}
	for k, v := range m {
		child := func() *fieldNode { return parseFieldSet(v) }
		switch {
		case k == ".":
			n.self = true
		case strings.HasPrefix(k, "f:"):
			if n.fields == nil {
				n.fields = map[string]*fieldNode{}
			}
			if c := child(); c != nil {
				n.fields[k[2:]] = c
			}
		case strings.HasPrefix(k, "k:"):
			var keys map[string]any
			if json.Unmarshal([]byte(k[2:]), &keys) == nil {
				n.items = append(n.items, itemNode{by: 'k', keys: keys, node: child()})
			}
		case strings.HasPrefix(k, "v:"):
			var val any
			if json.Unmarshal([]byte(k[2:]), &val) == nil {
				b, _ := json.Marshal(val)
				n.items = append(n.items, itemNode{by: 'v', value: b, node: child()})
			}
		case strings.HasPrefix(k, "i:"):
			if i, err := strconv.Atoi(k[2:]); err == nil {
				n.items = append(n.items, itemNode{by: 'i', index: i, node: child()})
			}
		}
	}
	return n
}

// matchItem returns the child node for a list item.
func (n *fieldNode) matchItem(item any, index int) *fieldNode {
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
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(got)
		if string(a) != string(b) {
			return false
		}
	}
	return true
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
func (m *manager) owns(live map[string]any, p fieldPath) ownership {
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
		if !s.item {
			next = n.fields[s.key]
			mm, _ := cur.(map[string]any)
			cur = mm[s.key]
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
