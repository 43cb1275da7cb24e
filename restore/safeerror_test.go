package restore

import (
	"errors"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestSafeError(t *testing.T) {
	const value = "s3cr3t-value"
	invalid := apierrors.NewInvalid(schema.GroupKind{Kind: "Secret"}, "db", field.ErrorList{
		field.Invalid(field.NewPath("data").Key(".dockerconfigjson"), value, "invalid JSON"),
	})
	notFound := apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "shop")
	secret := item{obj: &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Secret"}}}
	configMap := item{obj: &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}}}
	tests := []struct {
		name     string
		it       item
		err      error
		want     string
		withheld bool
	}{
		{name: "invalid Secret", it: secret, err: invalid, want: "data[.dockerconfigjson] (FieldValueInvalid)", withheld: true},
		{name: "Secret in a missing namespace", it: secret, err: notFound, want: `namespaces "shop" not found`},
		{name: "invalid ConfigMap keeps the message", it: configMap, err: invalid, want: value},
		{name: "not an API error", it: secret, err: errors.New("connection refused"), want: "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := safeError(tt.it, tt.err).Error()
			if !strings.Contains(got, tt.want) {
				t.Errorf("%q does not contain %q", got, tt.want)
			}
			if tt.withheld && strings.Contains(got, value) {
				t.Errorf("%q holds the Secret's value", got)
			}
		})
	}
}
