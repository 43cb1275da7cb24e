package report

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// TestSARIFStructure checks the fields SARIF 2.1.0 and GitHub code scanning
// require: schema and version, a driver with a name and rules, and for
// every result a known rule, a message, a level, exactly one location with
// an artifact uri (relative, or a file URI) and a start line, and a
// fingerprint.
func TestSARIFStructure(t *testing.T) {
	for _, fx := range []struct {
		name   string
		report *findings.Report
	}{
		{"report", fixtureReport()},
		{"clean", cleanReport()},
	} {
		t.Run(fx.name, func(t *testing.T) {
			checkSARIF(t, fx.report, renderFormat(t, "sarif", fx.report))
		})
	}
}

type sarifDoc struct {
	Schema  *string `json:"$schema"`
	Version *string `json:"version"`
	Runs    []struct {
		Tool *struct {
			Driver *struct {
				Name  string `json:"name"`
				Rules []struct {
					ID                   string     `json:"id"`
					ShortDescription     *sarifText `json:"shortDescription"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties struct {
						SecuritySeverity string `json:"security-severity"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string     `json:"ruleId"`
			RuleIndex *int       `json:"ruleIndex"`
			Level     string     `json:"level"`
			Message   *sarifText `json:"message"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation *struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					Name               string `json:"name"`
					FullyQualifiedName string `json:"fullyQualifiedName"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

func checkSARIF(t *testing.T, r *findings.Report, out string) {
	t.Helper()
	var doc sarifDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	if doc.Schema == nil || !strings.Contains(*doc.Schema, "sarif-2.1.0") {
		t.Errorf("$schema = %v, want the SARIF 2.1.0 schema", doc.Schema)
	}
	if doc.Version == nil || *doc.Version != "2.1.0" {
		t.Fatalf("version = %v, want 2.1.0", doc.Version)
	}
	if len(doc.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(doc.Runs))
	}
	run := doc.Runs[0]
	if run.Tool == nil || run.Tool.Driver == nil || run.Tool.Driver.Name == "" {
		t.Fatal("run.tool.driver.name is missing")
	}
	if run.Tool.Driver.Rules == nil {
		t.Fatal("run.tool.driver.rules is missing")
	}
	levels := []string{"none", "note", "warning", "error"}
	var ruleIDs []string
	for i, rule := range run.Tool.Driver.Rules {
		if rule.ID == "" || slices.Contains(ruleIDs, rule.ID) {
			t.Errorf("rule %d: id %q is empty or repeated", i, rule.ID)
		}
		ruleIDs = append(ruleIDs, rule.ID)
		if rule.ShortDescription == nil || rule.ShortDescription.Text == "" {
			t.Errorf("rule %s: no shortDescription.text", rule.ID)
		}
		if !slices.Contains(levels, rule.DefaultConfiguration.Level) {
			t.Errorf("rule %s: defaultConfiguration.level %q", rule.ID, rule.DefaultConfiguration.Level)
		}
	}
	if len(run.Results) != len(r.Findings) {
		t.Fatalf("%d results, want one per finding (%d)", len(run.Results), len(r.Findings))
	}
	sorted := prepare(r).Findings
	fingerprints := map[string]bool{}
	for i, res := range run.Results {
		f := sorted[i]
		if res.RuleIndex == nil || *res.RuleIndex < 0 || *res.RuleIndex >= len(ruleIDs) || ruleIDs[*res.RuleIndex] != res.RuleID {
			t.Errorf("result %d: ruleId %q does not match ruleIndex %v", i, res.RuleID, res.RuleIndex)
		}
		if !slices.Contains(levels, res.Level) {
			t.Errorf("result %d: level %q", i, res.Level)
		}
		if res.Message == nil || res.Message.Text == "" {
			t.Errorf("result %d: no message.text", i)
		}
		if len(res.PartialFingerprints) == 0 {
			t.Errorf("result %d: no partialFingerprints", i)
		}
		for _, fp := range res.PartialFingerprints {
			if fingerprints[fp] {
				t.Errorf("result %d: fingerprint %s repeats", i, fp)
			}
			fingerprints[fp] = true
		}
		if len(res.Locations) != 1 {
			t.Fatalf("result %d: %d locations, want 1", i, len(res.Locations))
		}
		loc := res.Locations[0]
		if loc.PhysicalLocation == nil || loc.PhysicalLocation.ArtifactLocation == nil || loc.PhysicalLocation.ArtifactLocation.URI == "" {
			t.Fatalf("result %d: no physicalLocation.artifactLocation.uri (GitHub rejects the upload)", i)
		}
		uri := loc.PhysicalLocation.ArtifactLocation.URI
		if u, err := url.Parse(uri); err != nil || (u.IsAbs() && u.Scheme != "file") {
			t.Errorf("result %d: uri %q is neither relative nor a file URI (%v)", i, uri, err)
		}
		if loc.PhysicalLocation.Region == nil || loc.PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("result %d: region.startLine missing", i)
		}
		if f.Source != nil {
			if uri != f.Source.File || loc.PhysicalLocation.Region.StartLine != f.Source.Line {
				t.Errorf("result %d (%s): location %s:%d, want the declaration %s", i, f.Object, uri, loc.PhysicalLocation.Region.StartLine, f.Source)
			}
		} else if !strings.HasPrefix(uri, "live/") {
			t.Errorf("result %d (%s): uri %q, want a live/ path", i, f.Object, uri)
		}
		if len(loc.LogicalLocations) != 1 || loc.LogicalLocations[0].FullyQualifiedName != f.Object.String() {
			t.Errorf("result %d: logical location %+v, want %s", i, loc.LogicalLocations, f.Object)
		}
	}
}

func TestSARIFURIs(t *testing.T) {
	tests := []struct {
		name string
		file string
		want string
	}{
		{"relative", "clusters/prod/web.yaml", "clusters/prod/web.yaml"},
		{"dot slash", "./clusters/web.yaml", "clusters/web.yaml"},
		{"space and colon", "apps/system:auth delegator.yaml", "apps/system%3Aauth%20delegator.yaml"},
		{"absolute", "/srv/gitops/web.yaml", "file:///srv/gitops/web.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fileURI(tt.file); got != tt.want {
				t.Errorf("fileURI(%q) = %q, want %q", tt.file, got, tt.want)
			}
		})
	}
	loc := sarifObjectLocation("", findings.Finding{Object: findings.ObjectRef{
		APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: "system:auth-delegator",
	}})
	if want := "live/cluster/_cluster/ClusterRole.rbac.authorization.k8s.io/system%3Aauth-delegator"; loc.PhysicalLocation.ArtifactLocation.URI != want {
		t.Errorf("live uri = %q, want %q", loc.PhysicalLocation.ArtifactLocation.URI, want)
	}
}
