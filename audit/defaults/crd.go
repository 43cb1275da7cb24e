package defaults

import (
	"errors"
	"fmt"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// crdSchema is the structural schema of one version of a CRD.
type crdSchema struct {
	structural *structuralschema.Structural
}

// apply defaults obj as apiextensions does when it stores or reads a
// custom resource.
func (c *crdSchema) apply(obj map[string]any) {
	structuraldefaulting.Default(obj, c.structural)
}

// addCRD reads the schemas of an apiextensions.k8s.io/v1
// CustomResourceDefinition (live or declared).
func (s *Set) addCRD(u *unstructured.Unstructured) error {
	if u.GetAPIVersion() != apiextensionsv1.SchemeGroupVersion.String() || u.GetKind() != "CustomResourceDefinition" {
		return errors.New("not an apiextensions.k8s.io/v1 CustomResourceDefinition")
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &crd); err != nil {
		return err
	}
	for _, v := range crd.Spec.Versions {
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		var internal apiextensions.JSONSchemaProps
		if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, &internal, nil); err != nil {
			return fmt.Errorf("version %s: %w", v.Name, err)
		}
		st, err := structuralschema.NewStructural(&internal)
		if err != nil {
			return fmt.Errorf("version %s: %w", v.Name, err)
		}
		k := crd.Spec.Group + "/" + v.Name + " " + crd.Spec.Names.Kind
		s.crds[k] = &crdSchema{structural: st}
	}
	return nil
}
