package audit

import (
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/internal/fieldpath"
	"github.com/clusterscribe/clusterscribe/internal/jsonvalue"
)

// objectCheck decides which differences of one live object are drift.
type objectCheck struct {
	c        *comparer
	live     map[string]any // the live object as read, for ownership walks
	managers []*manager
	ignored  map[string]bool // managers the user's rules ignore
	// lastApplied is kubectl's last applied configuration, parsed when
	// first needed (it can be as large as the object).
	lastApplied func() map[string]any
	// defaulted is the declared object with the server's defaults, made
	// when first needed; nil when none is known for its kind.
	defaulted func() map[string]any
}

// newObjectCheck prepares the judgment of the differences between the
// declared object d and the live object l.
func (c *comparer) newObjectCheck(d, l *unstructured.Unstructured) *objectCheck {
	return &objectCheck{
		c:           c,
		live:        l.Object,
		managers:    managers(l),
		ignored:     setOf(c.ignore.Managers(l)),
		lastApplied: sync.OnceValue(func() map[string]any { return lastApplied(l) }),
		defaulted:   sync.OnceValue(func() map[string]any { return c.defaults.Apply(d) }),
	}
}

// isDefault reports whether v, found live at p where the declaration
// leaves the field unset, is the value the server gives that field.
func (oc *objectCheck) isDefault(p fieldpath.Path, v any) bool {
	dv := oc.defaulted()
	if dv == nil {
		return false
	}
	want, ok := p.Lookup(dv)
	return ok && identical(want, v)
}

// classify keeps the deltas that are drift. Outside strict mode:
//   - a removed field is drift unless its declared value is one the server
//     does not store (false, 0, "", empty);
//   - a changed field is drift unless only controllers own its live value;
//   - an added field is drift only where someone set it: owned by a
//     server-side apply entry, by an update from anyone but an applier, or
//     by an applier whose last applied configuration names it, and not
//     holding the exact value the server defaults it to. Fields no one
//     owns are the server's defaults too.
//
// Fields owned by a manager of a matching ignore rule are never drift.
func (oc *objectCheck) classify(deltas []delta) objectDrift {
	var out objectDrift
	strict := oc.c.strict
	for _, d := range deltas {
		switch d.kind {
		case removed:
			oc.removed(d.path, d.declared, &out)
		case changed:
			owners := oc.owners(d.path)
			if oc.anyIgnored(owners) || (!strict && len(owners) > 0 && oc.allControllers(owners)) {
				continue
			}
			out.add(d, owners)
		case added:
			if strict {
				owners := oc.owners(d.path)
				if !oc.anyIgnored(owners) {
					out.add(d, owners)
				}
				continue
			}
			oc.additive(d.path, d.live, &out)
		}
	}
	return out
}

// removed reports a declared field the live object lacks; a map is
// reported key by key (labels.tier, not labels).
func (oc *objectCheck) removed(p fieldpath.Path, v any, out *objectDrift) {
	if m, ok := v.(map[string]any); ok && len(m) > 0 && (len(p) == 0 || !p[len(p)-1].Item) {
		for _, k := range jsonvalue.SortedKeys(m) {
			oc.removed(p.Key(k), m[k], out)
		}
		return
	}
	if !oc.c.strict && isEmpty(v) {
		return
	}
	out.add(delta{path: p, kind: removed, declared: v}, nil)
}

func (od *objectDrift) add(d delta, owners []*manager) {
	od.deltas = append(od.deltas, d)
	od.paths = append(od.paths, d.path)
	od.attribution = append(od.attribution, owners...)
}

// additive reports the parts of an added subtree that someone set: leaves
// and list items an explicit owner holds, unless they hold the server's
// default. Parts no explicit owner holds are defaults.
func (oc *objectCheck) additive(p fieldpath.Path, v any, out *objectDrift) {
	touched := false
	var holders []*manager
	for _, m := range oc.managers {
		o := m.owns(oc.live, p)
		if o == notOwned {
			continue
		}
		touched = true
		if o == owned && oc.explicit(m, p) {
			holders = append(holders, m)
		}
	}
	if !touched {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		// A map is reported key by key (labels.team, not labels), except a
		// list item someone holds, which is one thing (a container someone
		// added).
		isItem := len(p) > 0 && p[len(p)-1].Item
		if len(t) > 0 && (!isItem || len(holders) == 0) {
			for _, k := range jsonvalue.SortedKeys(t) {
				oc.additive(p.Key(k), t[k], out)
			}
			return
		}
	case []any:
		if len(t) > 0 && allMaps(t) {
			key := itemKey(t)
			for i, it := range t {
				var kv any
				if key != "" {
					kv = it.(map[string]any)[key]
				}
				oc.additive(p.Item(i, key, kv), it, out)
			}
			return
		}
	}
	// The server's defaults are looked up last: only for what someone
	// holds, as they cost a copy of the declared object.
	if len(holders) > 0 && !oc.isDefault(p, v) {
		out.add(delta{path: p, kind: added, live: v}, holders)
	}
}

// explicit reports whether m set the field at p on purpose, rather than
// holding it as a default or as a controller.
func (oc *objectCheck) explicit(m *manager, p fieldpath.Path) bool {
	switch {
	case oc.c.controllers[m.name] || oc.ignored[m.name]:
		return false
	case m.isApply():
		return true
	case oc.c.appliers[m.name]:
		la := oc.lastApplied()
		if la == nil {
			return false
		}
		_, ok := p.Lookup(la)
		return ok
	default:
		return true
	}
}

// owners returns the managers that own p or something inside it.
func (oc *objectCheck) owners(p fieldpath.Path) []*manager {
	var out []*manager
	for _, m := range oc.managers {
		if m.owns(oc.live, p) != notOwned {
			out = append(out, m)
		}
	}
	return out
}

func (oc *objectCheck) anyIgnored(ms []*manager) bool {
	for _, m := range ms {
		if oc.ignored[m.name] {
			return true
		}
	}
	return false
}

func (oc *objectCheck) allControllers(ms []*manager) bool {
	for _, m := range ms {
		if !oc.c.controllers[m.name] {
			return false
		}
	}
	return true
}

// restrictTo keeps, of a server-side dry-run result, the fields
// fieldManager owns and those no one owns (the server's defaults): what
// the declaration alone would produce. Fields other managers hold are
// dropped, so they show up as added and are judged like any live field.
func restrictTo(obj *unstructured.Unstructured, fieldManager string) *unstructured.Unstructured {
	var ours *manager
	var others []*manager
	for _, m := range managers(obj) {
		if m.name == fieldManager && m.isApply() {
			ours = m
		} else {
			others = append(others, m)
		}
	}
	if ours == nil {
		return obj
	}
	r := restrictor{live: obj.Object, ours: ours, others: others}
	content, _ := r.prune(obj.DeepCopy().Object, nil)
	m, _ := content.(map[string]any)
	return &unstructured.Unstructured{Object: m}
}

type restrictor struct {
	live   map[string]any
	ours   *manager
	others []*manager
}

// keep says whether the field v at p stays as a whole (true, true), goes
// (false, true), or is decided child by child (_, false). What others hold
// goes, except maps, whose unowned children (defaults, the object's name)
// stay.
func (r *restrictor) keep(p fieldpath.Path, v any) (keep, decided bool) {
	switch r.ours.owns(r.live, p) {
	case owned:
		return true, true
	case within:
		return false, false
	}
	for _, m := range r.others {
		if m.owns(r.live, p) != notOwned {
			if mv, ok := v.(map[string]any); ok && len(mv) > 0 && !p[len(p)-1].Item {
				return false, false
			}
			return false, true
		}
	}
	return true, true // no one's: a default
}

// prune removes from v (found at p) what others hold and returns what is
// left, and whether nothing is.
func (r *restrictor) prune(v any, p fieldpath.Path) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			return t, false
		}
		for _, k := range jsonvalue.SortedKeys(t) {
			q := p.Key(k)
			keep, decided := r.keep(q, t[k])
			if decided {
				if !keep {
					delete(t, k)
				}
				continue
			}
			if nv, drop := r.prune(t[k], q); drop {
				delete(t, k)
			} else {
				t[k] = nv
			}
		}
		return t, len(t) == 0
	case []any:
		if len(t) == 0 {
			return t, false
		}
		key := ""
		if allMaps(t) {
			key = itemKey(t)
		}
		var kept []any
		for i, it := range t {
			var kv any
			if key != "" {
				kv = it.(map[string]any)[key]
			}
			q := p.Item(i, key, kv)
			keep, decided := r.keep(q, it)
			if decided {
				if keep {
					kept = append(kept, it)
				}
				continue
			}
			if nv, drop := r.prune(it, q); !drop {
				kept = append(kept, nv)
			}
		}
		return kept, len(kept) == 0
	default:
		return t, false
	}
}
