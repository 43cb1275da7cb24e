package policies

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/golden"
)

// TestBundledGolden evaluates the bundled policies on a declared
// application holding one of each problem they report, and compares the
// findings, stats and problems with testdata/golden/app.json.
func TestBundledGolden(t *testing.T) {
	e, err := Load(t.Context(), Options{Params: Params{
		AllowedRegistries: []string{"ghcr.io/acme"},
		RequiredLabels:    []LabelRequirement{{Key: "team", AllowedRegex: "^[a-z]+$"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	fs, stats, problems := mustEvaluateManifests(t, e, readManifests(t, "testdata/manifests/app.yaml"))
	r := &findings.Report{Findings: fs, Policies: stats, Problems: problems}
	r.Sort()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	got := strings.Replace(buf.String(), `"generatedAt": "0001-01-01T00:00:00Z",`+"\n  ", "", 1)
	if strings.Contains(got, "plain-text-never-reported") {
		t.Error("a Secret value reached the findings")
	}
	golden.CheckString(t, filepath.Join("testdata", "golden", "app.json"), got)
	// Every bundled policy fires somewhere in the fixture.
	fired := map[string]bool{}
	for _, f := range fs {
		fired[f.Policy.ID] = true
	}
	for _, id := range issuePolicies {
		if !fired[id] {
			t.Errorf("%s does not fire on testdata/manifests/app.yaml", id)
		}
	}
}
