package audit

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// step is one level of a field path: a map key, or a list item found by
// the value of a key field ("name") or, without one, by its index.
type step struct {
	key   string // map key, when !item
	item  bool
	index int    // position in the list the path was taken from
	field string // key field identifying the item; "" means by index
	value any    // the key field's value
}

// fieldPath addresses a field of an object.
type fieldPath []step

// key returns p extended by a map key (a new slice: paths never share
// backing arrays).
func (p fieldPath) key(k string) fieldPath {
	return append(p[:len(p):len(p)], step{key: k})
}

// item returns p extended by a list item.
func (p fieldPath) item(index int, field string, value any) fieldPath {
	return append(p[:len(p):len(p)], step{item: true, index: index, field: field, value: value})
}

var plainKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// String renders the path the way findings show it:
// spec.template.spec.containers[name=web].image,
// metadata.labels["app.kubernetes.io/name"], rules[0].verbs.
func (p fieldPath) String() string {
	var b strings.Builder
	for i, s := range p {
		switch {
		case s.item && s.field != "":
			fmt.Fprintf(&b, "[%s=%s]", s.field, scalarString(s.value))
		case s.item:
			fmt.Fprintf(&b, "[%d]", s.index)
		case plainKeyRE.MatchString(s.key):
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
		default:
			q, _ := json.Marshal(s.key)
			fmt.Fprintf(&b, "[%s]", q)
		}
	}
	return b.String()
}

func scalarString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case int64:
		return strconv.FormatInt(t, 10)
	case bool:
		return strconv.FormatBool(t)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// itemKeyFields are the fields that identify list items, tried in order:
// the first one every item on both sides has, with values unique within
// each list, is used.
var itemKeyFields = []string{"name", "mountPath", "devicePath", "containerPort", "port", "key", "ip", "topologyKey"}

// itemKey picks the key field for matching the items of lists, or "" when
// none fits (items are then matched by position).
func itemKey(lists ...[]any) string {
	for _, f := range itemKeyFields {
		if keyFits(f, lists) {
			return f
		}
	}
	return ""
}

func keyFits(f string, lists [][]any) bool {
	for _, l := range lists {
		seen := map[string]bool{}
		for _, it := range l {
			m, ok := it.(map[string]any)
			if !ok {
				return false
			}
			v, ok := m[f]
			if !ok || !isScalar(v) {
				return false
			}
			k := scalarString(v)
			if seen[k] {
				return false
			}
			seen[k] = true
		}
	}
	return true
}

func isScalar(v any) bool {
	switch v.(type) {
	case string, int64, float64, bool:
		return true
	}
	return false
}

// findItem returns the item a step designates in list, and its index.
func findItem(list []any, s step) (any, int) {
	if s.field == "" {
		if s.index >= 0 && s.index < len(list) {
			return list[s.index], s.index
		}
		return nil, -1
	}
	want := scalarString(s.value)
	for i, it := range list {
		if m, ok := it.(map[string]any); ok {
			if v, ok := m[s.field]; ok && scalarString(v) == want {
				return it, i
			}
		}
	}
	return nil, -1
}

// lookup returns the value at p in v.
func lookup(v any, p fieldPath) (any, bool) {
	for _, s := range p {
		if !s.item {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[s.key]; !ok {
				return nil, false
			}
			continue
		}
		l, ok := v.([]any)
		if !ok {
			return nil, false
		}
		if v, _ = findItem(l, s); v == nil {
			return nil, false
		}
	}
	return v, true
}

// setAt stores val at p below v and returns the updated v: maps are
// created on the way, and a list item that is not there is appended.
func setAt(v any, p fieldPath, val any) (any, bool) {
	if len(p) == 0 {
		return val, true
	}
	s := p[0]
	if !s.item {
		m, ok := v.(map[string]any)
		if v == nil {
			m, ok = map[string]any{}, true
		}
		if !ok {
			return v, false
		}
		child, ok := setAt(m[s.key], p[1:], val)
		if !ok {
			return v, false
		}
		m[s.key] = child
		return m, true
	}
	l, ok := v.([]any)
	if !ok && v != nil {
		return v, false
	}
	it, idx := findItem(l, s)
	if idx < 0 {
		if len(p) > 1 {
			return v, false
		}
		return append(l, val), true
	}
	child, ok := setAt(it, p[1:], val)
	if !ok {
		return v, false
	}
	l[idx] = child
	return l, true
}

// removeAt deletes the value at p below v and returns the updated v.
func removeAt(v any, p fieldPath) any {
	if len(p) == 0 {
		return v
	}
	s, last := p[0], len(p) == 1
	if !s.item {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		if last {
			delete(m, s.key)
		} else if c, ok := m[s.key]; ok {
			m[s.key] = removeAt(c, p[1:])
		}
		return m
	}
	l, ok := v.([]any)
	if !ok {
		return v
	}
	it, idx := findItem(l, s)
	if idx < 0 {
		return v
	}
	if last {
		return slices.Delete(slices.Clone(l), idx, idx+1)
	}
	l[idx] = removeAt(it, p[1:])
	return l
}
