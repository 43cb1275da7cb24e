package audit

import (
	"slices"

	"github.com/clusterscribe/clusterscribe/internal/fieldpath"
)

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
			k := fieldpath.Text(v)
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

// findItem returns the item a step designates in list, and its index
// (nil and -1 when there is none).
func findItem(list []any, s fieldpath.Step) (any, int) {
	i := s.Find(list)
	if i < 0 {
		return nil, -1
	}
	return list[i], i
}

// setAt stores val at p below v and returns the updated v: maps are
// created on the way, and a list item that is not there is appended.
func setAt(v any, p fieldpath.Path, val any) (any, bool) {
	if len(p) == 0 {
		return val, true
	}
	s := p[0]
	if !s.Item {
		m, ok := v.(map[string]any)
		if v == nil {
			m, ok = map[string]any{}, true
		}
		if !ok {
			return v, false
		}
		child, ok := setAt(m[s.Key], p[1:], val)
		if !ok {
			return v, false
		}
		m[s.Key] = child
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
func removeAt(v any, p fieldpath.Path) any {
	if len(p) == 0 {
		return v
	}
	s, last := p[0], len(p) == 1
	if !s.Item {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		if last {
			delete(m, s.Key)
		} else if c, ok := m[s.Key]; ok {
			m[s.Key] = removeAt(c, p[1:])
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
