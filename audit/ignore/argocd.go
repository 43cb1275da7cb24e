package ignore

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Where Argo CD keeps ignoreDifferences in its ConfigMap.
const (
	argoCDKeyPrefix = "resource.customizations.ignoreDifferences."
	argoCDOldKey    = "resource.customizations"
)

// docSeparator splits a multi-document YAML file.
var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?$`)

// hasKind reports whether the content is Kubernetes objects rather than a
// plain rules file.
func hasKind(data []byte) bool {
	for _, doc := range docSeparator.Split(string(data), -1) {
		var head struct {
			Kind string `json:"kind"`
		}
		if yaml.Unmarshal([]byte(doc), &head) == nil && head.Kind != "" {
			return true
		}
	}
	return false
}

// argoObject is the part of an Argo CD object that holds ignore rules.
type argoObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		IgnoreDifferences []Rule `json:"ignoreDifferences"`
		Template          struct {
			Spec struct {
				IgnoreDifferences []Rule `json:"ignoreDifferences"`
			} `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
	Data map[string]string `json:"data"`
}

// parseArgoCD reads the ignore rules of Argo CD objects: an Application's
// spec.ignoreDifferences, an ApplicationSet's
// spec.template.spec.ignoreDifferences, and the argocd-cm ConfigMap's
// resource.customizations.ignoreDifferences.<group_kind> keys (and the older
// resource.customizations key). Other kinds are refused, naming the
// document.
func parseArgoCD(data []byte, name string) ([]Rule, error) {
	var out []Rule
	var errs []error
	for i, doc := range docSeparator.Split(string(data), -1) {
		if len(bytes.TrimSpace([]byte(doc))) == 0 {
			continue
		}
		var obj argoObject
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			errs = append(errs, fmt.Errorf("%s: document %d: %w", name, i+1, err))
			continue
		}
		rules, err := obj.rules()
		if err == nil {
			_, err = Compile(rules, true)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: document %d (%s %s): %w", name, i+1, obj.Kind, obj.Metadata.Name, err))
			continue
		}
		out = append(out, rules...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func (o *argoObject) rules() ([]Rule, error) {
	argo := strings.HasPrefix(o.APIVersion, "argoproj.io/")
	switch {
	case argo && o.Kind == "Application":
		return o.Spec.IgnoreDifferences, nil
	case argo && o.Kind == "ApplicationSet":
		return o.Spec.Template.Spec.IgnoreDifferences, nil
	case argo && o.Kind == "AppProject":
		return nil, errors.New("an AppProject holds no ignoreDifferences in Argo CD: give the file of its Applications, or the argocd-cm ConfigMap")
	case o.Kind == "ConfigMap" && o.APIVersion == "v1":
		return configMapRules(o.Data)
	}
	return nil, fmt.Errorf("%s %s holds no ignore rules: give an Argo CD Application or ApplicationSet, the argocd-cm ConfigMap, or a plain ignoreDifferences list", o.APIVersion, o.Kind)
}

// customization is the value of one ignoreDifferences key of argocd-cm.
type customization struct {
	JSONPointers          []string `json:"jsonPointers,omitempty"`
	JQPathExpressions     []string `json:"jqPathExpressions,omitempty"`
	ManagedFieldsManagers []string `json:"managedFieldsManagers,omitempty"`
}

// configMapRules reads argocd-cm's keys, in key order.
func configMapRules(data map[string]string) ([]Rule, error) {
	var out []Rule
	for _, k := range slices.Sorted(maps.Keys(data)) {
		switch {
		case strings.HasPrefix(k, argoCDKeyPrefix):
			group, kind := splitGroupKind(strings.TrimPrefix(k, argoCDKeyPrefix), "_")
			r, err := customizationRule(data[k], group, kind)
			if err != nil {
				return nil, fmt.Errorf("data[%s]: %w", k, err)
			}
			out = append(out, r)
		case k == argoCDOldKey:
			rules, err := oldCustomizations(data[k])
			if err != nil {
				return nil, fmt.Errorf("data[%s]: %w", k, err)
			}
			out = append(out, rules...)
		}
	}
	return out, nil
}

// oldCustomizations reads the resource.customizations key: a map of
// group/Kind to customizations, whose ignoreDifferences is a YAML string.
func oldCustomizations(value string) ([]Rule, error) {
	var m map[string]struct {
		IgnoreDifferences string `json:"ignoreDifferences"`
	}
	if err := yaml.Unmarshal([]byte(value), &m); err != nil {
		return nil, err
	}
	var out []Rule
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if strings.TrimSpace(m[k].IgnoreDifferences) == "" {
			continue
		}
		group, kind := splitGroupKind(k, "/")
		r, err := customizationRule(m[k].IgnoreDifferences, group, kind)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func customizationRule(value, group, kind string) (Rule, error) {
	var c customization
	if err := yaml.UnmarshalStrict([]byte(value), &c); err != nil {
		return Rule{}, err
	}
	return Rule{
		Group: group, Kind: kind, JSONPointers: c.JSONPointers, JQPathExpressions: c.JQPathExpressions,
		ManagedFieldsManagers: c.ManagedFieldsManagers,
	}, nil
}

// splitGroupKind reads Argo CD's group_kind ("apps_Deployment", "Service"
// or "_Service" for the core group, "all" for everything).
func splitGroupKind(s, sep string) (group, kind string) {
	if s == "all" || s == "*"+sep+"*" {
		return Any, Any
	}
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", s
	}
	return s[:i], s[i+1:]
}
