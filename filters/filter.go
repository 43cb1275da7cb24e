package filters

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/clusterscribe/clusterscribe/watcher"
)

// Reasons Allow gives for dropping an object. A default exclusion gives its
// own name ("events", "sa-token-secrets", ...).
const (
	// ReasonKind: the kind is not in --include-kinds or is in --exclude-kinds.
	ReasonKind = "kind"
	// ReasonNamespace: the namespace (or the Namespace's name) is out of scope.
	ReasonNamespace = "namespace"
	// ReasonSelector: the labels do not match --selector.
	ReasonSelector = "selector"
	// ReasonOwned: a controller owns the object; its parent is recorded
	// instead. It is also the name of that default exclusion.
	ReasonOwned = "owned"
	// ReasonInvalid: there is no object to decide on.
	ReasonInvalid = "invalid"
)

// Filter decides which kinds to watch and which objects to keep. Build it
// with New; it is immutable and safe for concurrent use.
type Filter struct {
	include           []kindPattern
	exclude           []kindPattern
	namespaces        []string
	excludeNamespaces []string
	literalNamespaces []string // set when namespaces holds no glob
	selector          labels.Selector
	kindExclusions    []compiledExclusion // drop whole kinds
	objectExclusions  []compiledExclusion // drop single objects
}

// New checks and compiles o. The error names every bad value with its flag.
func New(o Options) (*Filter, error) {
	f := &Filter{}
	var errs []error

	f.include = compileKindPatterns(flagIncludeKinds, o.IncludeKinds, &errs)
	f.exclude = compileKindPatterns(flagExcludeKinds, o.ExcludeKinds, &errs)
	f.namespaces = compileGlobs(flagNamespaces, o.Namespaces, &errs)
	f.excludeNamespaces = compileGlobs(flagExcludeNamespaces, o.ExcludeNamespaces, &errs)
	f.literalNamespaces = literalNames(f.namespaces)

	if s := strings.TrimSpace(o.Selector); s != "" {
		sel, err := labels.Parse(s)
		if err != nil {
			errs = append(errs, &FlagError{Flag: flagSelector, Value: o.Selector, Err: ErrBadSelector, Detail: err})
		} else if !sel.Empty() {
			f.selector = sel
		}
	}

	kept := includedExclusions(o, &errs)
	for _, e := range defaultExclusions {
		if kept[IncludeAll] || kept[e.Name] {
			continue
		}
		ce := compiledExclusion{name: e.Name, object: e.Object}
		for _, k := range e.Kinds {
			p, err := parseKindPattern(k)
			if err != nil {
				return nil, fmt.Errorf("default exclusion %s: kind %q: %w", e.Name, k, err)
			}
			ce.kinds = append(ce.kinds, p)
		}
		if ce.object == nil {
			f.kindExclusions = append(f.kindExclusions, ce)
		} else {
			f.objectExclusions = append(f.objectExclusions, ce)
		}
	}

	// Each FlagError names its flag and value: that is the context.
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return f, nil
}

func compileKindPatterns(flag string, values []string, errs *[]error) []kindPattern {
	var out []kindPattern
	for _, v := range values {
		p, err := parseKindPattern(v)
		if err != nil {
			*errs = append(*errs, &FlagError{Flag: flag, Value: v, Err: ErrBadKindPattern, Detail: err})
			continue
		}
		out = append(out, p)
	}
	return out
}

func compileGlobs(flag string, values []string, errs *[]error) []string {
	var out []string
	for _, v := range values {
		g := strings.TrimSpace(v)
		if g == "" {
			*errs = append(*errs, &FlagError{Flag: flag, Value: v, Err: ErrBadGlob, Detail: errors.New("empty pattern")})
			continue
		}
		// path.Match checks the whole pattern, whatever the name.
		if _, err := path.Match(g, ""); err != nil {
			*errs = append(*errs, &FlagError{Flag: flag, Value: v, Err: ErrBadGlob, Detail: err})
			continue
		}
		out = append(out, g)
	}
	return out
}

// literalNames returns globs deduplicated when none holds a glob
// metacharacter, nil otherwise.
func literalNames(globs []string) []string {
	var out []string
	for _, g := range globs {
		if strings.ContainsAny(g, `*?[\`) {
			return nil
		}
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// includedExclusions returns the set of default exclusions the options
// switch off, reporting unknown names.
func includedExclusions(o Options, errs *[]error) map[string]bool {
	known := exclusionNames()
	kept := map[string]bool{ReasonOwned: o.IncludeOwned}
	for _, v := range o.Include {
		name := strings.ToLower(strings.TrimSpace(v))
		if name != IncludeAll && !slices.Contains(known, name) {
			*errs = append(*errs, &FlagError{
				Flag: flagIncludeExcluded, Value: v, Err: ErrUnknownExclusion,
				Detail: fmt.Errorf("known: %s, %s", IncludeAll, strings.Join(known, ", ")),
			})
			continue
		}
		kept[name] = true
	}
	return kept
}

// WantResource reports whether objects of r can be kept at all, that is
// whether r is worth watching.
func (f *Filter) WantResource(r watcher.Resource) bool {
	return f.resourceReason(r) == ""
}

// resourceReason returns why r is dropped as a whole, or "" if it is not.
func (f *Filter) resourceReason(r watcher.Resource) string {
	if len(f.include) > 0 && !matchesAny(f.include, r) {
		return ReasonKind
	}
	if matchesAny(f.exclude, r) {
		return ReasonKind
	}
	for i := range f.kindExclusions {
		if matchesAny(f.kindExclusions[i].kinds, r) {
			return f.kindExclusions[i].name
		}
	}
	return ""
}

// Allow reports whether obj, an object of r, is kept. When it is not,
// reason is a short word: ReasonKind, ReasonNamespace, ReasonSelector,
// ReasonOwned or the name of another default exclusion. Allow does not
// allocate.
func (f *Filter) Allow(r watcher.Resource, obj *unstructured.Unstructured) (ok bool, reason string) {
	if reason := f.resourceReason(r); reason != "" {
		return false, reason
	}
	if obj == nil {
		return false, ReasonInvalid
	}
	meta := metadata(obj)
	if len(f.namespaces) > 0 || len(f.excludeNamespaces) > 0 {
		if ns, scoped := namespaceOf(r, meta); scoped && !f.namespaceAllowed(ns) {
			return false, ReasonNamespace
		}
	}
	if f.selector != nil {
		l, _ := meta["labels"].(map[string]any)
		if !f.selector.Matches(objectLabels(l)) {
			return false, ReasonSelector
		}
	}
	for i := range f.objectExclusions {
		e := &f.objectExclusions[i]
		if (e.coversAllKinds() || matchesAny(e.kinds, r)) && e.object(obj) {
			return false, e.name
		}
	}
	return true, ""
}

// namespaceOf returns the namespace the namespace globs are matched
// against: the object's namespace for namespaced kinds, the name for
// Namespace objects. scoped is false for other cluster-scoped objects.
func namespaceOf(r watcher.Resource, meta map[string]any) (ns string, scoped bool) {
	switch {
	case r.Namespaced:
		return metaString(meta, "namespace"), true
	case r.GVR.Group == "" && r.Kind == "Namespace":
		return metaString(meta, "name"), true
	default:
		return "", false
	}
}

func (f *Filter) namespaceAllowed(ns string) bool {
	if len(f.namespaces) > 0 && !matchesGlob(f.namespaces, ns) {
		return false
	}
	return !matchesGlob(f.excludeNamespaces, ns)
}

func matchesGlob(globs []string, s string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, s); ok { // patterns were checked in New
			return true
		}
	}
	return false
}

// ListNamespaces returns the namespaces to watch when Namespaces names them
// literally (no glob), so a watcher can list and watch only those. It
// returns nil when every namespace must be watched. ExcludeNamespaces is
// left to Allow.
func (f *Filter) ListNamespaces() []string {
	return slices.Clone(f.literalNamespaces)
}
