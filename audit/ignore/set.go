package ignore

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Set is a compiled list of rules, immutable and safe for concurrent use.
type Set struct {
	rules []compiled
}

// Compile checks rules and, unless withoutBuiltins, adds the built-in rules
// after them.
func Compile(rules []Rule, withoutBuiltins bool) (*Set, error) {
	s := &Set{}
	var errs []error
	for i, r := range rules {
		c, err := compile(fmt.Sprintf("ignoreDifferences[%d]", i), r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.rules = append(s.rules, c)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("ignore rules: %w", err)
	}
	if withoutBuiltins {
		return s, nil
	}
	for _, b := range builtins {
		c, err := compile("builtin "+b.ID, b.Rule)
		if err != nil {
			return nil, fmt.Errorf("ignore rules: %w", err)
		}
		s.rules = append(s.rules, c)
	}
	return s, nil
}

// File is the ignore rules config file: Argo CD's ignoreDifferences list
// under the same key.
//
//	ignoreDifferences:
//	  - group: apps
//	    kind: Deployment
//	    jsonPointers: [/spec/replicas]
//	  - kind: "*"
//	    group: "*"
//	    managedFieldsManagers: [vpa-updater]
type File struct {
	IgnoreDifferences []Rule `json:"ignoreDifferences"`
}

// LoadFile reads and checks a rules file. Unknown keys are an error, so a
// misspelt field never silently ignores nothing.
func LoadFile(name string) ([]Rule, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("ignore rules: %w", err)
	}
	return Parse(data, name)
}

// Parse decodes rules file content; name is used in errors only. The
// content is the plain rules file (see File), or what Argo CD users already
// have (see parseArgoCD): Applications, ApplicationSets and the argocd-cm
// ConfigMap, several in one multi-document file.
func Parse(data []byte, name string) ([]Rule, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	if !hasKind(data) {
		var f File
		if err := yaml.UnmarshalStrict(data, &f); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if _, err := Compile(f.IgnoreDifferences, true); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return f.IgnoreDifferences, nil
	}
	return parseArgoCD(data, name)
}

// Strip removes, in place, every JSON pointer of every rule matching obj.
// meta is the object the rules are matched against (kind, name,
// namespace); content is what is stripped (a normalized copy of it).
func (s *Set) Strip(meta *unstructured.Unstructured, content map[string]any) {
	if s == nil {
		return
	}
	for i := range s.rules {
		r := &s.rules[i]
		if len(r.pointers) == 0 || !r.matches(meta) {
			continue
		}
		for _, p := range r.pointers {
			p.Remove(content)
		}
	}
}

// Managers returns the field managers whose fields are never drift on
// obj, sorted and without duplicates.
func (s *Set) Managers(obj *unstructured.Unstructured) []string {
	if s == nil {
		return nil
	}
	var out []string
	for i := range s.rules {
		r := &s.rules[i]
		if len(r.rule.ManagedFieldsManagers) > 0 && r.matches(obj) {
			out = append(out, r.rule.ManagedFieldsManagers...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
