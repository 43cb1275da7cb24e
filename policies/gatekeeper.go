package policies

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"go.yaml.in/yaml/v3"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// Gatekeeper's API groups and target.
const (
	templatesGroup   = "templates.gatekeeper.sh"
	constraintsGroup = "constraints.gatekeeper.sh"
	admissionTarget  = "admission.k8s.gatekeeper.sh"
)

// Annotations a Constraint may carry to describe itself in reports.
const (
	AnnotationSeverity    = "policy.clusterscribe.io/severity"
	AnnotationRemediation = "policy.clusterscribe.io/remediation"
	// AnnotationControls lists controls as "FRAMEWORK:ID", comma-separated
	// ("CIS:5.2.2, PSS:baseline").
	AnnotationControls = "policy.clusterscribe.io/controls"
	AnnotationTitle    = "policy.clusterscribe.io/title"
)

// regoSource is one Rego module embedded in a ConstraintTemplate.
type regoSource struct {
	name string
	text string
	pos  position
}

// template is a parsed ConstraintTemplate.
type template struct {
	file, name, kind   string
	line               int
	title, description string
	version            regoVersion
	rego               regoSource
	libs               []regoSource
	// schema is spec.crd.spec.validation.openAPIV3Schema, the schema of
	// its Constraints' parameters.
	schema map[string]any
	// cel, when set, is the template's K8sNativeValidation code, which
	// is evaluated in place of its Rego.
	cel *celSource
}

// constraint is a parsed Constraint.
type constraint struct {
	file string
	line int
	obj  *unstructured.Unstructured
}

func (c constraint) where() string { return fmt.Sprintf("%s:%d", c.file, c.line) }

// gatekeeperDoc sorts one YAML document of a policy directory; other
// documents are not policies and are skipped.
func gatekeeperDoc(file string, doc document, obj *unstructured.Unstructured) (*template, *constraint, error) {
	gvk := obj.GroupVersionKind()
	switch {
	case gvk.Group == templatesGroup && gvk.Kind == "ConstraintTemplate":
		t, err := parseTemplate(file, doc, obj)
		return t, nil, err
	case gvk.Group == constraintsGroup:
		return nil, &constraint{file: file, line: doc.line, obj: obj}, nil
	}
	return nil, nil, nil
}

func parseTemplate(file string, doc document, obj *unstructured.Unstructured) (*template, error) {
	where := fmt.Sprintf("%s:%d", file, doc.line)
	t := &template{file: file, line: doc.line, name: obj.GetName(), version: regoV0}
	t.kind, _, _ = unstructured.NestedString(obj.Object, "spec", "crd", "spec", "names", "kind")
	if t.kind == "" {
		return nil, fmt.Errorf("%s: ConstraintTemplate %s: spec.crd.spec.names.kind is required", where, t.name)
	}
	t.schema, _, _ = unstructured.NestedMap(obj.Object, "spec", "crd", "spec", "validation", "openAPIV3Schema")
	ann := obj.GetAnnotations()
	t.title = ann["metadata.gatekeeper.sh/title"]
	t.description = strings.TrimSpace(ann["description"])
	var root yaml.Node
	if err := yaml.Unmarshal(doc.text, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	targets := nodeAt(&root, "spec", "targets")
	if targets == nil || targets.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s: ConstraintTemplate %s: spec.targets must be a list", where, t.name)
	}
	for i, target := range targets.Content {
		if n := nodeAt(target, "target"); n == nil || n.Value != admissionTarget {
			continue
		}
		base := []any{"spec", "targets", i}
		regoPath, libsPath := slices.Concat(base, []any{"rego"}), slices.Concat(base, []any{"libs"})
		if code := nodeAt(target, "code"); code != nil {
			for j, c := range code.Content {
				if n := nodeAt(c, "engine"); n != nil && n.Value == engineCEL {
					// Gatekeeper evaluates a template's CEL when it has
					// both engines (its K8sNativeValidation driver comes
					// first).
					return t, t.parseCEL(doc, &root, slices.Concat(base, []any{"code", j, "source"}))
				}
			}
			for j, c := range code.Content {
				if n := nodeAt(c, "engine"); n != nil && n.Value == "Rego" {
					regoPath = slices.Concat(base, []any{"code", j, "source", "rego"})
					libsPath = slices.Concat(base, []any{"code", j, "source", "libs"})
					if v := nodeAt(c, "source", "version"); v != nil && v.Value == "v1" {
						t.version = regoV1
					}
				}
			}
		}
		n := nodeAt(&root, regoPath...)
		if n == nil || n.Kind != yaml.ScalarNode {
			continue
		}
		t.rego = t.source(doc, n, "rego")
		if libs := nodeAt(&root, libsPath...); libs != nil {
			for j, lib := range libs.Content {
				t.libs = append(t.libs, t.source(doc, lib, fmt.Sprintf("libs[%d]", j)))
			}
		}
		return t, nil
	}
	return nil, fmt.Errorf("%s: ConstraintTemplate %s has no Rego for target %s nor %s code", where, t.name, admissionTarget, engineCEL)
}

func (t *template) source(doc document, n *yaml.Node, part string) regoSource {
	return regoSource{
		name: fmt.Sprintf("%s#%s/%s", t.file, t.name, part),
		text: n.Value,
		pos:  scalarPosition(t.file, doc, n),
	}
}

// compiledTemplate is a template's compiled Rego and its violation query.
type compiledTemplate struct {
	*template
	query rego.PreparedEvalQuery
	srcs  sources
	// parameters validates its Constraints' parameters; nil without a
	// schema.
	parameters validation.SchemaValidator
	// cel is the compiled K8sNativeValidation code, when the template
	// has some.
	cel *celProgram
}

// compileTemplate compiles a template's Rego and libs on their own, as
// Gatekeeper does: templates cannot see each other's packages.
func (l *loader) compileTemplate(ctx context.Context, t *template) (*compiledTemplate, error) {
	if t.cel != nil {
		return compileCELTemplate(t)
	}
	srcs := sources{}
	modules := map[string]*ast.Module{}
	var errs CompileError
	for _, s := range append([]regoSource{t.rego}, t.libs...) {
		srcs[s.name] = s.pos
		m, err := srcs.parseModule(s.name, s.text, t.version)
		if errs.gather(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		modules[s.name] = m
	}
	if len(errs.Errors) > 0 {
		return nil, &errs
	}
	main := modules[t.rego.name]
	hasViolation := false
	for _, r := range main.Rules {
		if ref := r.Head.Ref(); len(ref) == 1 && ref[0].Equal(ast.VarTerm("violation")) {
			hasViolation = true
		}
	}
	if !hasViolation {
		return nil, &CompileError{Errors: []RegoError{{
			File: t.file, Line: t.rego.pos.lineOffset + 1, Col: t.rego.pos.colOffset + 1,
			Message: fmt.Sprintf("ConstraintTemplate %s: package %s has no violation rule", t.name, main.Package.Path),
		}}}
	}
	c, err := srcs.compile(modules)
	if err != nil {
		return nil, err
	}
	q, err := l.prepare(ctx, c, ast.NewTerm(main.Package.Path.Append(ast.StringTerm("violation"))), srcs)
	if err != nil {
		return nil, err
	}
	pv, err := parametersValidator(t.schema)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: ConstraintTemplate %s: %w", t.file, t.line, t.name, err)
	}
	return &compiledTemplate{template: t, query: q, srcs: srcs, parameters: pv}, nil
}

// constraintPolicy makes a policy of a Constraint of a compiled template.
func constraintPolicy(ct *compiledTemplate, c constraint) (*policy, error) {
	obj := c.obj.Object
	matchRaw, _, _ := unstructured.NestedFieldNoCopy(obj, "spec", "match")
	match, err := decodeMatch(matchRaw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.where(), err)
	}
	params, _, _ := unstructured.NestedFieldNoCopy(obj, "spec", "parameters")
	if params == nil {
		params = map[string]any{}
	}
	if err := checkParameters(ct, c, params); err != nil {
		return nil, err
	}
	pv, err := ast.InterfaceToValue(params)
	if err != nil {
		return nil, fmt.Errorf("%s: parameters: %w", c.where(), err)
	}
	outcome, err := enforcementOutcome(obj)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.where(), err)
	}
	ann := c.obj.GetAnnotations()
	sev, controls, err := annotated(ann, findings.Medium)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.where(), err)
	}
	title := firstNonEmpty(ann[AnnotationTitle], ct.title, ct.kind)
	var cel *celPolicy
	if ct.cel != nil {
		// The CEL sees the Constraint as params, and its parameters
		// as variables.params.
		params := []runtime.Object{c.obj}
		cel = &celPolicy{program: ct.cel, params: func(*object) ([]runtime.Object, error) { return params, nil }}
		pv = nil
	}
	return &policy{
		cel: cel,
		Policy: Policy{
			ID:          c.obj.GetKind() + "/" + c.obj.GetName(),
			Title:       title,
			Severity:    sev,
			Description: ct.description,
			Remediation: strings.TrimSpace(ann[AnnotationRemediation]),
			Controls:    controls,
			File:        c.file,
			Dialect:     DialectGatekeeper,
			Outcome:     outcome,
			Match:       match.Match,
		},
		match:      match,
		query:      ct.query,
		parameters: pv,
		srcs:       ct.srcs,
	}, nil
}

// annotated reads the severity (sev when absent) and controls
// annotations of a Constraint or ValidatingAdmissionPolicy.
func annotated(ann map[string]string, sev findings.Severity) (findings.Severity, []findings.Control, error) {
	var err error
	if s := ann[AnnotationSeverity]; s != "" {
		if sev, err = parseSeverity(s); err != nil {
			return "", nil, fmt.Errorf("%s: %w", AnnotationSeverity, err)
		}
	}
	var controls []findings.Control
	if s := ann[AnnotationControls]; s != "" {
		var list []any
		for part := range strings.SplitSeq(s, ",") {
			list = append(list, strings.TrimSpace(part))
		}
		if controls, err = parseControls(list); err != nil {
			return "", nil, fmt.Errorf("%s: %w", AnnotationControls, err)
		}
	}
	return sev, controls, nil
}

// enforcementOutcome maps spec.enforcementAction: deny fails; warn and
// dryrun (audit only) warn; scoped fails when any scoped action denies.
func enforcementOutcome(obj map[string]any) (findings.Outcome, error) {
	action, _, _ := unstructured.NestedString(obj, "spec", "enforcementAction")
	switch strings.ToLower(action) {
	case "", "deny":
		return findings.Fail, nil
	case "warn", "dryrun":
		return findings.Warn, nil
	case "scoped":
		scoped, _, _ := unstructured.NestedSlice(obj, "spec", "scopedEnforcementActions")
		for _, s := range scoped {
			if m, ok := s.(map[string]any); ok && strings.EqualFold(fmt.Sprint(m["action"]), "deny") {
				return findings.Fail, nil
			}
		}
		return findings.Warn, nil
	}
	return "", fmt.Errorf("spec.enforcementAction %q is not one of deny, warn, dryrun, scoped", action)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
