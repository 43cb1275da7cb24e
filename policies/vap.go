package policies

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// The API group of ValidatingAdmissionPolicy and its kinds.
const (
	admissionRegistrationGroup = "admissionregistration.k8s.io"
	kindVAP                    = "ValidatingAdmissionPolicy"
	kindVAPBinding             = "ValidatingAdmissionPolicyBinding"
)

// vapDoc is a ValidatingAdmissionPolicy read from a policy file.
type vapDoc struct {
	file   string
	doc    document
	root   yaml.Node
	policy admissionregistrationv1.ValidatingAdmissionPolicy
}

// bindingDoc is a ValidatingAdmissionPolicyBinding read from a policy
// file.
type bindingDoc struct {
	file    string
	line    int
	binding admissionregistrationv1.ValidatingAdmissionPolicyBinding
}

func (b *bindingDoc) where() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

// vapDocOf reads a ValidatingAdmissionPolicy or a binding (nil, nil for
// any other object). Unknown fields are errors.
func vapDocOf(file string, doc document, u *unstructured.Unstructured) (*vapDoc, *bindingDoc, error) {
	gvk := u.GroupVersionKind()
	if gvk.Group != admissionRegistrationGroup {
		return nil, nil, nil
	}
	where := fmt.Sprintf("%s:%d", file, doc.line)
	switch gvk.Kind {
	case kindVAP:
		p, err := decodeStrict[admissionregistrationv1.ValidatingAdmissionPolicy](u.Object)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s %s: %w", where, kindVAP, u.GetName(), err)
		}
		v := &vapDoc{file: file, doc: doc, policy: p}
		if err := yaml.Unmarshal(doc.text, &v.root); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", where, err)
		}
		return v, nil, nil
	case kindVAPBinding:
		b, err := decodeStrict[admissionregistrationv1.ValidatingAdmissionPolicyBinding](u.Object)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s %s: %w", where, kindVAPBinding, u.GetName(), err)
		}
		return nil, &bindingDoc{file: file, line: doc.line, binding: b}, nil
	}
	return nil, nil, nil
}

// celSource is the policy's CEL, located in its file.
func (v *vapDoc) celSource() celSource {
	return celSource{
		file:      v.file,
		name:      kindVAP + " " + v.policy.Name,
		spec:      v.policy.Spec,
		hasParams: v.policy.Spec.ParamKind != nil,
		prefix:    "spec",
		lineOf: func(p ...any) int {
			return nodeLine(v.doc, nodeAt(&v.root, slices.Concat([]any{"spec"}, p)...))
		},
	}
}

// compiledVAP is a ValidatingAdmissionPolicy and its compiled CEL.
type compiledVAP struct {
	*vapDoc
	program *celProgram
	match   *matchCriteria
}

// vapPolicies compiles the ValidatingAdmissionPolicies of the policy
// files and makes a policy of each binding. A CEL expression that does
// not compile is a *CompileError at its file and line.
func (l *loader) vapPolicies(uf *userFiles) ([]*policy, error) {
	compiled := map[string]*compiledVAP{}
	var errs CompileError
	for _, v := range uf.vaps {
		where := fmt.Sprintf("%s:%d", v.file, v.doc.line)
		if prev, ok := compiled[v.policy.Name]; ok {
			return nil, fmt.Errorf("%s: %s %s is also defined at %s:%d", where, kindVAP, v.policy.Name, prev.file, prev.doc.line)
		}
		mc := v.policy.Spec.MatchConstraints
		if mc == nil || len(mc.ResourceRules) == 0 {
			return nil, fmt.Errorf("%s: %s %s: spec.matchConstraints.resourceRules is required: name the resources it judges", where, kindVAP, v.policy.Name)
		}
		match, err := newMatchCriteria(*mc)
		if err != nil {
			return nil, fmt.Errorf("%s: %s %s: spec.matchConstraints: %w", where, kindVAP, v.policy.Name, err)
		}
		prog, err := compileCEL(v.celSource())
		if errs.gather(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		compiled[v.policy.Name] = &compiledVAP{vapDoc: v, program: prog, match: match}
	}
	if len(errs.Errors) > 0 {
		return nil, &errs
	}
	used := map[string]bool{}
	var out []*policy
	for _, b := range uf.bindings {
		name := b.binding.Spec.PolicyName
		cv, ok := compiled[name]
		if !ok {
			return nil, fmt.Errorf("%s: %s %s: no %s named %q in the policy paths", b.where(), kindVAPBinding, b.binding.Name, kindVAP, name)
		}
		used[name] = true
		p, err := bindingPolicy(cv, b, uf.objects)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	for _, v := range uf.vaps {
		if !used[v.policy.Name] {
			l.log.Info("ValidatingAdmissionPolicy has no binding: nothing to evaluate", "policy", v.policy.Name, "file", v.file)
		}
	}
	return out, nil
}

// bindingPolicy makes a policy of a binding of a compiled
// ValidatingAdmissionPolicy. params are the objects of the policy files,
// where its params are looked up.
func bindingPolicy(cv *compiledVAP, b *bindingDoc, objects []*unstructured.Unstructured) (*policy, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s %s: %s", b.where(), kindVAPBinding, b.binding.Name, fmt.Sprintf(format, args...))
	}
	spec := b.binding.Spec
	outcome, sev, err := validationActions(spec.ValidationActions)
	if err != nil {
		return nil, fail("%v", err)
	}
	ann := cv.policy.Annotations
	if len(b.binding.Annotations) > 0 {
		ann = b.binding.Annotations
	}
	sev, controls, err := annotated(ann, sev)
	if err != nil {
		return nil, fail("%v", err)
	}
	vm := &vapMatch{policy: cv.match}
	if spec.MatchResources != nil {
		if vm.binding, err = newMatchCriteria(*spec.MatchResources); err != nil {
			return nil, fail("spec.matchResources: %v", err)
		}
	}
	params, err := bindingParams(cv, b.binding.Name, spec, objects)
	if err != nil {
		return nil, fail("%v", err)
	}
	return &policy{
		Policy: Policy{
			ID:          kindVAPBinding + "/" + b.binding.Name,
			Title:       firstNonEmpty(ann[AnnotationTitle], cv.policy.Name),
			Severity:    sev,
			Description: strings.TrimSpace(cv.policy.Annotations["description"]),
			Remediation: strings.TrimSpace(ann[AnnotationRemediation]),
			Controls:    controls,
			File:        cv.file,
			Dialect:     DialectVAP,
			Outcome:     outcome,
		},
		match: &compiledMatch{vap: vm},
		cel:   &celPolicy{program: cv.program, params: params},
	}, nil
}

// validationActions maps a binding's validationActions to an outcome and a
// default severity: Deny fails (high); Warn (medium) and Audit (low) warn.
// Deny wins over Warn, Warn over Audit.
func validationActions(actions []admissionregistrationv1.ValidationAction) (findings.Outcome, findings.Severity, error) {
	if len(actions) == 0 {
		return "", "", fmt.Errorf("spec.validationActions is required: give one or more of Deny, Warn, Audit")
	}
	for _, a := range actions {
		switch a {
		case admissionregistrationv1.Deny, admissionregistrationv1.Warn, admissionregistrationv1.Audit:
		default:
			return "", "", fmt.Errorf("spec.validationActions: %q is not one of Deny, Warn, Audit", a)
		}
	}
	switch {
	case slices.Contains(actions, admissionregistrationv1.Deny):
		return findings.Fail, findings.High, nil
	case slices.Contains(actions, admissionregistrationv1.Warn):
		return findings.Warn, findings.Medium, nil
	default:
		return findings.Warn, findings.Low, nil
	}
}

// bindingParams returns how a binding finds the params of an object, as
// the API server does, among the objects of the policy files: by name or
// selector, in paramRef.namespace, or else in the object's namespace
// (a param object without namespace is found from any).
func bindingParams(cv *compiledVAP, binding string, spec admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec, objects []*unstructured.Unstructured) (func(*object) ([]runtime.Object, error), error) {
	kind := cv.policy.Spec.ParamKind
	if kind == nil {
		none := []runtime.Object{nil}
		return func(*object) ([]runtime.Object, error) { return none, nil }, nil
	}
	ref := spec.ParamRef
	if ref == nil {
		return nil, fmt.Errorf("spec.paramRef is required: %s %s has paramKind %s %s", kindVAP, cv.policy.Name, kind.APIVersion, kind.Kind)
	}
	if (ref.Name == "") == (ref.Selector == nil) {
		return nil, fmt.Errorf("spec.paramRef: give one of name and selector")
	}
	selector := labels.Everything()
	if ref.Selector != nil {
		var err error
		if selector, err = metav1.LabelSelectorAsSelector(ref.Selector); err != nil {
			return nil, fmt.Errorf("spec.paramRef.selector: %w", err)
		}
	}
	deny := ref.ParameterNotFoundAction == nil || *ref.ParameterNotFoundAction == admissionregistrationv1.DenyAction
	var candidates []*unstructured.Unstructured
	for _, u := range objects {
		if u.GetAPIVersion() == kind.APIVersion && u.GetKind() == kind.Kind {
			candidates = append(candidates, u)
		}
	}
	return func(o *object) ([]runtime.Object, error) {
		var out []runtime.Object
		for _, u := range candidates {
			ns := u.GetNamespace()
			switch {
			case ref.Namespace != "" && ns != ref.Namespace:
				continue
			case ref.Namespace == "" && ns != "" && ns != o.ref.Namespace:
				continue
			case ref.Name != "" && u.GetName() != ref.Name:
				continue
			case !selector.Matches(labels.Set(u.GetLabels())):
				continue
			}
			out = append(out, u)
		}
		if len(out) == 0 && deny {
			return nil, &celDenial{message: fmt.Sprintf("no params (%s %s) found for %s %s of %s %s, whose parameterNotFoundAction is Deny", kind.APIVersion, kind.Kind, kindVAPBinding, binding, kindVAP, cv.policy.Name)}
		}
		return out, nil
	}, nil
}
