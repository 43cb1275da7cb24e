package serializer

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/internal/jsonpointer"
)

// Rule is one normalization rule: data, testable alone.
type Rule struct {
	// Name is the rule's stable id ("metadata.uid", "service.clusterIP"),
	// used by Options.DisableRules.
	Name string
	// Kinds restricts the rule to some kinds, each written as
	// watcher.Resource.String() renders it: "Kind.group", or "Kind" alone for
	// the core group ("Deployment.apps", "Service"). Empty means every kind.
	Kinds []string
	// Pointers are RFC 6901 JSON pointers removed when present; "*" as a
	// token matches every element of a list or every key of a map
	// (/spec/ports/*/nodePort, /webhooks/*/clientConfig/caBundle).
	Pointers []string
	// AnnotationKeys removes metadata.annotations entries by exact key; a
	// key ending in "/*" removes every key with that prefix
	// (autoscaling.alpha.kubernetes.io/*).
	AnnotationKeys []string
	// Fn is for the few rules that are not plain removals (Secret stringData
	// folded into data, headless-aware clusterIP removal). nil for data-only
	// rules. Fn must not keep obj, and its errors must not quote field values.
	Fn func(obj map[string]any) error
}

// ParseRule parses a user rule written as "Kinds:/json/pointer", where Kinds
// is a comma-separated list of kinds as in Rule.Kinds, or empty for every
// kind: "Deployment.apps:/spec/template/metadata/annotations/foo",
// ":/metadata/labels/x". The rule's name is the string itself.
func ParseRule(s string) (Rule, error) {
	s = strings.TrimSpace(s)
	kinds, ptr, ok := strings.Cut(s, ":")
	if !ok {
		return Rule{}, fmt.Errorf("%w %q: want Kind.group:/json/pointer", ErrInvalidRule, s)
	}
	r := Rule{Name: s, Pointers: []string{strings.TrimSpace(ptr)}}
	if kinds = strings.TrimSpace(kinds); kinds != "" {
		for k := range strings.SplitSeq(kinds, ",") {
			r.Kinds = append(r.Kinds, strings.TrimSpace(k))
		}
	}
	if _, err := compileRule(r); err != nil {
		return Rule{}, err
	}
	return r, nil
}

// compiledRule is a Rule with its pointers parsed and kinds indexed.
type compiledRule struct {
	name           string
	kinds          map[string]bool // nil: every kind
	pointers       []jsonpointer.Pointer
	annotationKeys []string
	fn             func(map[string]any) error
}

func compileRule(r Rule) (compiledRule, error) {
	if r.Name == "" {
		return compiledRule{}, fmt.Errorf("%w: rule without a name", ErrInvalidRule)
	}
	if len(r.Pointers) == 0 && len(r.AnnotationKeys) == 0 && r.Fn == nil {
		return compiledRule{}, fmt.Errorf("%w %q: no pointers, annotation keys or function", ErrInvalidRule, r.Name)
	}
	c := compiledRule{name: r.Name, annotationKeys: r.AnnotationKeys, fn: r.Fn}
	for _, k := range r.Kinds {
		if k == "" || strings.ContainsAny(k, ":/ \t") || strings.HasPrefix(k, ".") || strings.HasSuffix(k, ".") {
			return compiledRule{}, fmt.Errorf("%w %q: bad kind %q, want Kind or Kind.group", ErrInvalidRule, r.Name, k)
		}
		if c.kinds == nil {
			c.kinds = make(map[string]bool, len(r.Kinds))
		}
		c.kinds[k] = true
	}
	for _, s := range r.Pointers {
		p, err := jsonpointer.Parse(s)
		if err != nil {
			return compiledRule{}, fmt.Errorf("%w %q: %w", ErrInvalidRule, r.Name, err)
		}
		c.pointers = append(c.pointers, p)
	}
	for _, k := range r.AnnotationKeys {
		if k == "" || k == "/*" {
			return compiledRule{}, fmt.Errorf("%w %q: empty annotation key", ErrInvalidRule, r.Name)
		}
	}
	return c, nil
}

// kindKey renders a GroupKind the way Rule.Kinds spells it.
func kindKey(gk schema.GroupKind) string {
	if gk.Group == "" {
		return gk.Kind
	}
	return gk.Kind + "." + gk.Group
}

// matches reports whether the rule applies to objects of kind key.
func (c compiledRule) matches(key string) bool {
	return c.kinds == nil || c.kinds[key]
}

// apply runs the rule on obj, which it modifies in place.
func (c compiledRule) apply(obj map[string]any) error {
	for _, p := range c.pointers {
		p.Remove(obj)
	}
	if len(c.annotationKeys) > 0 {
		removeAnnotations(obj, c.annotationKeys)
	}
	if c.fn != nil {
		if err := c.fn(obj); err != nil {
			return fmt.Errorf("rule %s: %w", c.name, err)
		}
	}
	return nil
}

// removeAnnotations deletes metadata.annotations entries by exact key or, for
// a key ending in "/*", by prefix.
func removeAnnotations(obj map[string]any, keys []string) {
	meta, _ := obj["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	if len(ann) == 0 {
		return
	}
	for _, k := range keys {
		prefix, ok := strings.CutSuffix(k, "*")
		if !ok || !strings.HasSuffix(prefix, "/") {
			delete(ann, k)
			continue
		}
		for a := range ann {
			if strings.HasPrefix(a, prefix) {
				delete(ann, a)
			}
		}
	}
}

// dropEmptyMetadataMaps removes metadata.annotations and metadata.labels when
// they are empty or null (ObjectMeta omits them then, so nothing is lost).
// Other empty values are meaningful ("emptyDir: {}") and stay.
func dropEmptyMetadataMaps(obj map[string]any) {
	meta, ok := obj["metadata"].(map[string]any)
	if !ok {
		return
	}
	for _, k := range []string{"annotations", "labels"} {
		v, ok := meta[k]
		if !ok {
			continue
		}
		if m, isMap := v.(map[string]any); v == nil || (isMap && len(m) == 0) {
			delete(meta, k)
		}
	}
}
