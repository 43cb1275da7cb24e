package policies

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

// engineCEL is Gatekeeper's CEL engine.
const engineCEL = "K8sNativeValidation"

// gatekeeperVariables are the variables Gatekeeper puts before a
// template's own: anyObject (the old object on DELETE) and params (the
// Constraint's spec.parameters).
var gatekeeperVariables = []admissionregistrationv1.Variable{
	{Name: "anyObject", Expression: `has(request.operation) && request.operation == "DELETE" && object == null ? oldObject : object`},
	{Name: "params", Expression: `!has(params.spec) ? null : !has(params.spec.parameters) ? null: params.spec.parameters`},
}

// gatekeeperInternalPrefix starts the names of the match conditions
// Gatekeeper adds itself; a template may not use it.
const gatekeeperInternalPrefix = "gatekeeper_internal"

// celTemplateSource is the source of a K8sNativeValidation code entry.
type celTemplateSource struct {
	Validations     []admissionregistrationv1.Validation     `json:"validations,omitempty"`
	MatchConditions []admissionregistrationv1.MatchCondition `json:"matchConditions,omitempty"`
	Variables       []admissionregistrationv1.Variable       `json:"variables,omitempty"`
	FailurePolicy   *string                                  `json:"failurePolicy,omitempty"`
	// GenerateVAP asks Gatekeeper to make a ValidatingAdmissionPolicy of
	// the template; it changes nothing here.
	GenerateVAP *bool `json:"generateVAP,omitempty"`
}

// parseCEL reads the K8sNativeValidation source at path of the template.
func (t *template) parseCEL(doc document, root *yaml.Node, path []any) error {
	where := fmt.Sprintf("%s:%d", t.file, doc.line)
	var raw any
	if n := nodeAt(root, path...); n != nil {
		if err := n.Decode(&raw); err != nil {
			return fmt.Errorf("%s: ConstraintTemplate %s: %s source: %w", where, t.name, engineCEL, err)
		}
	}
	src, err := decodeStrict[celTemplateSource](raw)
	if err != nil {
		return fmt.Errorf("%s: ConstraintTemplate %s: %s source: %w", where, t.name, engineCEL, err)
	}
	if len(src.Validations) == 0 {
		return fmt.Errorf("%s: ConstraintTemplate %s: %s source has no validations", where, t.name, engineCEL)
	}
	for i, mc := range src.MatchConditions {
		if strings.HasPrefix(mc.Name, gatekeeperInternalPrefix) {
			return fmt.Errorf("%s: ConstraintTemplate %s: matchConditions[%d]: name %q: the prefix %s is reserved", where, t.name, i, mc.Name, gatekeeperInternalPrefix)
		}
	}
	spec := admissionregistrationv1.ValidatingAdmissionPolicySpec{
		Validations:     src.Validations,
		MatchConditions: src.MatchConditions,
		Variables:       slices.Concat(gatekeeperVariables, src.Variables),
	}
	if src.FailurePolicy != nil {
		fp := admissionregistrationv1.FailurePolicyType(*src.FailurePolicy)
		if fp != admissionregistrationv1.Fail && fp != admissionregistrationv1.Ignore {
			return fmt.Errorf("%s: ConstraintTemplate %s: failurePolicy %q is not one of Fail, Ignore", where, t.name, fp)
		}
		spec.FailurePolicy = &fp
	}
	t.cel = &celSource{
		file:            t.file,
		name:            "ConstraintTemplate " + t.name,
		spec:            spec,
		hasParams:       true,
		prefix:          pathPrefix(path),
		hiddenVariables: len(gatekeeperVariables),
		lineOf: func(p ...any) int {
			return nodeLine(doc, nodeAt(root, slices.Concat(path, p)...))
		},
	}
	return nil
}

// compileCELTemplate compiles a template's K8sNativeValidation code and
// its parameters' schema.
func compileCELTemplate(t *template) (*compiledTemplate, error) {
	prog, err := compileCEL(*t.cel)
	if err != nil {
		return nil, err
	}
	pv, err := parametersValidator(t.schema)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: ConstraintTemplate %s: %w", t.file, t.line, t.name, err)
	}
	return &compiledTemplate{template: t, cel: prog, parameters: pv}, nil
}

// decodeStrict decodes a YAML-decoded value into T; an unknown field is
// an error.
func decodeStrict[T any](raw any) (T, error) {
	var out T
	data, err := json.Marshal(raw)
	if err != nil {
		return out, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return out, err
	}
	return out, nil
}

// pathPrefix writes a node path as "spec.targets[0].code[1].source".
func pathPrefix(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		default:
			fmt.Fprintf(&b, ".%v", p)
		}
	}
	return strings.TrimPrefix(b.String(), ".")
}

// nodeLine is the file line of a node of doc (0 when n is nil).
func nodeLine(doc document, n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return doc.start + n.Line - 1
}
