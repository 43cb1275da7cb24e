package policies

import (
	"encoding/json"
	"fmt"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ParametersError is a Constraint whose spec.parameters do not fit its
// template's schema (spec.crd.spec.validation.openAPIV3Schema), the error
// Gatekeeper's API server gives when the Constraint is created.
type ParametersError struct {
	// Where is the Constraint's file:line.
	Where string
	// Constraint is kind/name.
	Constraint string
	Errs       field.ErrorList
}

func (e *ParametersError) Error() string {
	return fmt.Sprintf("%s: Constraint %s: parameters do not fit the template's schema: %v", e.Where, e.Constraint, e.Errs.ToAggregate())
}

// parametersValidator compiles a template's parameters schema; nil when
// the template has none.
func parametersValidator(schema map[string]any) (validation.SchemaValidator, error) {
	if schema == nil {
		return nil, nil
	}
	data, err := json.Marshal(schema)
	if err != nil {
		return nil, fmt.Errorf("openAPIV3Schema: %w", err)
	}
	var v1 apiextensionsv1.JSONSchemaProps
	if err := json.Unmarshal(data, &v1); err != nil {
		return nil, fmt.Errorf("openAPIV3Schema: %w", err)
	}
	var internal apiextensions.JSONSchemaProps
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(&v1, &internal, nil); err != nil {
		return nil, fmt.Errorf("openAPIV3Schema: %w", err)
	}
	v, _, err := validation.NewSchemaValidator(&internal)
	if err != nil {
		return nil, fmt.Errorf("openAPIV3Schema: %w", err)
	}
	return v, nil
}

// checkParameters validates a Constraint's parameters against its
// template's schema.
func checkParameters(ct *compiledTemplate, c constraint, params any) error {
	if ct.parameters == nil {
		return nil
	}
	errs := validation.ValidateCustomResource(field.NewPath("spec", "parameters"), params, ct.parameters)
	if len(errs) == 0 {
		return nil
	}
	return &ParametersError{Where: c.where(), Constraint: c.obj.GetKind() + "/" + c.obj.GetName(), Errs: errs}
}
