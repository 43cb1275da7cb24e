package report

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// TestJSONSchema validates the JSON reports of the fixtures against the
// published schema (schema/report.v1.schema.json), and a report with a
// field the schema does not know against it too: that one must fail.
func TestJSONSchema(t *testing.T) {
	data, err := os.ReadFile("schema/report." + JSONSchemaVersion + ".schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema spec.Schema
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	v := validate.NewSchemaValidator(&schema, nil, "", strfmt.Default)
	check := func(name, doc string) error {
		var x any
		if err := json.Unmarshal([]byte(doc), &x); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v.Validate(x).AsError()
	}
	for name, r := range map[string]func() *findings.Report{"report": fixtureReport, "clean": cleanReport} {
		out := renderFormat(t, "json", r())
		if !strings.Contains(out, `"schemaVersion": "`+JSONSchemaVersion+`"`) {
			t.Errorf("%s: no schemaVersion", name)
		}
		if err := check(name, out); err != nil {
			t.Errorf("%s does not validate: %v", name, err)
		}
	}
	bad := strings.Replace(renderFormat(t, "json", cleanReport()), `"cluster":`, `"clustr": "x", "cluster":`, 1)
	if err := check("bad", bad); err == nil {
		t.Error("a report with an unknown field validates")
	}
}
