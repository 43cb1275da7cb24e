package report

import (
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/sarifschema"
)

// TestSARIFSchema validates the SARIF of the fixtures against the official
// SARIF 2.1.0 JSON Schema, and a document the schema forbids against it
// too: that one must fail.
func TestSARIFSchema(t *testing.T) {
	for name, r := range map[string]func() *findings.Report{"report": fixtureReport, "clean": cleanReport} {
		sarifschema.Validate(t, name, []byte(renderFormat(t, "sarif", r())))
	}
	bad := strings.Replace(renderFormat(t, "sarif", fixtureReport()), `"level": "error"`, `"level": "fatal"`, 1)
	if !strings.Contains(bad, `"fatal"`) {
		t.Fatal("the fixture has no result of level error")
	}
	if err := sarifschema.Check(t, []byte(bad)); err == nil {
		t.Error("a result of level fatal validates")
	}
}
