package audit

import (
	"encoding/json"
	"reflect"
	"slices"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/clusterscribe/clusterscribe/internal/fieldpath"
	"github.com/clusterscribe/clusterscribe/internal/jsonvalue"
)

// deltaKind says how a field differs.
type deltaKind int

const (
	// changed: both sides have the field, with different values.
	changed deltaKind = iota
	// removed: declared, absent from the live object.
	removed
	// added: in the live object, not declared.
	added
)

func (k deltaKind) String() string {
	switch k {
	case changed:
		return "changed"
	case removed:
		return "removed"
	default:
		return "added"
	}
}

// delta is one difference between the declared and the live object, at
// the highest path where they part.
type delta struct {
	path     fieldpath.Path
	kind     deltaKind
	declared any
	live     any
}

// diffValues compares d (declared) and l (live) below p. A null value is
// the same as an absent one.
//
// p is a scratch path: it grows in place (its spare capacity is reused by
// siblings), and every delta gets its own copy.
func diffValues(p fieldpath.Path, d, l any, out *[]delta) {
	switch dv := d.(type) {
	case map[string]any:
		lv, ok := l.(map[string]any)
		if !ok {
			*out = append(*out, delta{path: slices.Clone(p), kind: changed, declared: d, live: l})
			return
		}
		keys := make([]string, 0, len(dv)+len(lv))
		for k := range dv {
			keys = append(keys, k)
		}
		for k := range lv {
			if _, ok := dv[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			dc, lc := dv[k], lv[k]
			switch {
			case dc == nil && lc == nil:
			case lc == nil:
				*out = append(*out, delta{path: p.Key(k), kind: removed, declared: dc})
			case dc == nil:
				*out = append(*out, delta{path: p.Key(k), kind: added, live: lc})
			case identical(dc, lc):
				// Nothing below differs: skip the walk.
			default:
				diffValues(append(p, fieldpath.Step{Key: k}), dc, lc, out)
			}
		}
	case []any:
		lv, ok := l.([]any)
		if !ok {
			*out = append(*out, delta{path: slices.Clone(p), kind: changed, declared: d, live: l})
			return
		}
		diffLists(p, dv, lv, out)
	default:
		if !scalarEqual(p, d, l) {
			*out = append(*out, delta{path: slices.Clone(p), kind: changed, declared: d, live: l})
		}
	}
}

// diffLists compares lists of maps item by item, matched by a key field
// (containers by name, ports by port, ...) or by position; any other list
// is one value. p is a scratch path, as for diffValues.
func diffLists(p fieldpath.Path, d, l []any, out *[]delta) {
	if !allMaps(d) || !allMaps(l) || len(d) == 0 || len(l) == 0 {
		if !reflect.DeepEqual(normalizeNumbers(d), normalizeNumbers(l)) {
			*out = append(*out, delta{path: slices.Clone(p), kind: changed, declared: d, live: l})
		}
		return
	}
	key := itemKey(d, l)
	if key == "" {
		for i := range max(len(d), len(l)) {
			switch {
			case i >= len(l):
				*out = append(*out, delta{path: p.Item(i, "", nil), kind: removed, declared: d[i]})
			case i >= len(d):
				*out = append(*out, delta{path: p.Item(i, "", nil), kind: added, live: l[i]})
			case identical(d[i], l[i]):
			default:
				diffValues(append(p, fieldpath.Step{Item: true, Index: i}), d[i], l[i], out)
			}
		}
		return
	}
	matched := make([]bool, len(l))
	for i, di := range d {
		v := di.(map[string]any)[key]
		s := fieldpath.Step{Item: true, Field: key, Value: fieldpath.Text(v)}
		li, j := findItem(l, s)
		if j < 0 {
			*out = append(*out, delta{path: p.Item(i, key, v), kind: removed, declared: di})
			continue
		}
		matched[j] = true
		if !identical(di, li) {
			s.Index = j
			diffValues(append(p, s), di, li, out)
		}
	}
	for j, li := range l {
		if !matched[j] {
			v := li.(map[string]any)[key]
			*out = append(*out, delta{path: p.Item(j, key, v), kind: added, live: li})
		}
	}
}

func allMaps(l []any) bool {
	for _, it := range l {
		if _, ok := it.(map[string]any); !ok {
			return false
		}
	}
	return true
}

// quantityKeys are the maps whose values are resource quantities, which the
// API server rewrites in canonical form ("0.5" becomes "500m", "1024Mi"
// becomes "1Gi").
var quantityKeys = map[string]bool{
	"requests": true, "limits": true, "hard": true, "capacity": true,
	"allocatable": true, "overhead": true, "default": true, "defaultRequest": true,
	"max": true, "min": true, "maxLimitRequestRatio": true,
}

// scalarEqual compares two leaf values: numbers by value (1 and 1.0 are
// equal), quantities under resources by amount.
func scalarEqual(p fieldpath.Path, a, b any) bool {
	a, b = normalizeNumbers(a), normalizeNumbers(b)
	if reflect.DeepEqual(a, b) {
		return true
	}
	if len(p) < 2 {
		return false
	}
	parent, self := p[len(p)-2], p[len(p)-1]
	if !quantityKeys[parent.Key] && self.Key != "sizeLimit" && self.Key != "storage" {
		return false
	}
	qa, errA := quantityOf(a)
	qb, errB := quantityOf(b)
	return errA == nil && errB == nil && qa.Cmp(qb) == 0
}

func quantityOf(v any) (resource.Quantity, error) {
	switch t := v.(type) {
	case string:
		return resource.ParseQuantity(t)
	case float64:
		b, _ := json.Marshal(t)
		return resource.ParseQuantity(string(b))
	default:
		b, _ := json.Marshal(t)
		return resource.ParseQuantity(string(b))
	}
}

// normalizeNumbers makes numbers compare by value whatever their source
// (jsonvalue's one rule: integral below 2^53 is an int64).
func normalizeNumbers(v any) any { return jsonvalue.Canonical(v) }

// identical reports, without allocating, whether d and l are the same
// JSON value: same keys, same list lengths, scalars equal as scalarEqual
// compares them before looking at quantities. When it is true diffValues
// finds nothing; when false it may still find nothing (quantities, nulls).
func identical(d, l any) bool {
	switch dv := d.(type) {
	case map[string]any:
		lv, ok := l.(map[string]any)
		if !ok || len(dv) != len(lv) {
			return false
		}
		for k, dc := range dv {
			lc, ok := lv[k]
			if !ok || !identical(dc, lc) {
				return false
			}
		}
		return true
	case []any:
		lv, ok := l.([]any)
		if !ok || len(dv) != len(lv) {
			return false
		}
		for i := range dv {
			if !identical(dv[i], lv[i]) {
				return false
			}
		}
		return true
	case string:
		ls, ok := l.(string)
		return ok && ls == dv
	case bool:
		lb, ok := l.(bool)
		return ok && lb == dv
	case nil:
		return l == nil
	}
	dn, ok1 := numberOf(d)
	ln, ok2 := numberOf(l)
	return ok1 && ok2 && dn == ln
}

// number is a JSON number as normalizeNumbers leaves it: an int64, or a
// float64 that is not integral.
type number struct {
	isInt bool
	i     int64
	f     float64
}

func numberOf(v any) (number, bool) {
	switch t := v.(type) {
	case int64:
		return number{isInt: true, i: t}, true
	case int:
		return number{isInt: true, i: int64(t)}, true
	case int32:
		return number{isInt: true, i: int64(t)}, true
	case float64:
		if i, ok := jsonvalue.Integral(t); ok {
			return number{isInt: true, i: i}, true
		}
		if t != t { // NaN equals nothing, itself included
			return number{}, false
		}
		return number{f: t}, true
	}
	return number{}, false
}

// isEmpty reports zero values the API server omits when it stores an
// object (false, 0, "", empty maps and lists): declaring one is the same
// as leaving the field out.
func isEmpty(v any) bool {
	switch t := normalizeNumbers(v).(type) {
	case nil:
		return true
	case bool:
		return !t
	case int64:
		return t == 0
	case float64:
		return t == 0
	case string:
		return t == ""
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}
