package policies

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 1
  template:
    metadata:
      labels: {tier: front}
    spec:
      containers: [{name: web, image: "web:1"}]
`

const service = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations: {owner: payments}
spec:
  ports: [{port: 80}, {port: 443, name: https}]
`

// TestConftest evaluates conftest-style policies: v0 and v1 Rego, any
// package, deny/warn/violation rules and their suffixed forms, string and
// object results, metadata from # METADATA blocks, test files left out.
func TestConftest(t *testing.T) {
	e := mustLoad(t, Options{Dirs: []string{"testdata/conftest"}, NoBundled: true})
	fs, stats, _ := mustEvaluate(t, e, objects(t, deployment, service), false)
	want := []row{
		{"main.deny", "Deployment.apps shop/web", findings.Fail, "Deployment web runs fewer than 2 replicas"},
		{"main.deny_no_owner", "Deployment.apps shop/web", findings.Fail, "Deployment web has no owner annotation"},
		{"main.warn", "Deployment.apps shop/web", findings.Warn, "pod template has no app label"},
		{"service-port-names", "Service shop/web", findings.Fail, "port 80 has no name"},
	}
	checkRows(t, want, fs)
	wantStats := map[string]stat{
		"main.deny":          {Evaluated: 2, Failed: 1},
		"main.deny_no_owner": {Evaluated: 2, Failed: 1},
		"main.warn":          {Evaluated: 2, Failed: 0},
		"service-port-names": {Evaluated: 1, Failed: 1},
	}
	if diff := cmp.Diff(wantStats, statsByID(stats)); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	var got Policy
	for _, p := range e.Policies() {
		if p.ID == "service-port-names" {
			got = p
		}
	}
	wantPolicy := Policy{
		ID:          "service-port-names",
		Title:       "Services name their ports",
		Severity:    findings.Low,
		Description: "Unnamed ports cannot be referenced by name from probes and policies.",
		Remediation: "Give every port a name.",
		Controls:    []findings.Control{{Framework: "NSA-CISA", ID: "network-separation"}},
		File:        "testdata/conftest/services.rego",
		Dialect:     DialectConftest,
		Outcome:     findings.Fail,
		Match:       Match{Kinds: []MatchKinds{{APIGroups: []string{""}, Kinds: []string{"Service"}}}},
	}
	if diff := cmp.Diff(wantPolicy, got); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
}

// TestConftestIDs checks the ids of rules sharing a package-level id, and
// that two policies cannot share one.
func TestConftestIDs(t *testing.T) {
	const shared = `# METADATA
# custom:
#   id: ports
package p

deny contains "d" if input.kind == "Service"

warn contains "w" if input.kind == "Service"
`
	dir := testkit.WriteFiles(t, t.TempDir(), map[string]string{"p.rego": shared})
	e := mustLoad(t, Options{Dirs: []string{dir}, NoBundled: true})
	var ids []string
	for _, p := range e.Policies() {
		ids = append(ids, p.ID)
	}
	if diff := cmp.Diff([]string{"ports.deny", "ports.warn"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}

	dup := `# METADATA
# custom:
#   id: privileged-container
package q

deny contains "x" if false
`
	dir = testkit.WriteFiles(t, t.TempDir(), map[string]string{"q.rego": dup})
	_, err := Load(t.Context(), Options{Dirs: []string{dir}})
	if err == nil || !strings.Contains(err.Error(), `policy id "privileged-container" is defined twice: bundled:privileged-container and `) {
		t.Errorf("Load error = %v, want a duplicate id error", err)
	}
}

// TestRegoErrors checks that Rego that does not parse or compile stops
// Load with file:line:col, listing every broken file, so that nothing is
// half-evaluated.
func TestRegoErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "v1 syntax error",
			files: map[string]string{"a.rego": "package a\n\ndeny contains msg if {\n\tmsg := \"x\" +\n}\n"},
			want:  []string{"a.rego:5:1: rego_parse_error"},
		},
		{
			name:  "v0 syntax error reported where the v0 parse failed",
			files: map[string]string{"a.rego": "package a\n\ndeny[msg] {\n  msg := concat(\"\", [\"a\"\n}\n"},
			want:  []string{"a.rego:5:1: rego_parse_error"},
		},
		{
			name:  "unsafe variable",
			files: map[string]string{"a.rego": "package a\n\ndeny contains msg if {\n\tinput.kind == \"Pod\"\n}\n"},
			want:  []string{"a.rego:3:15: rego_unsafe_var_error: var msg is unsafe"},
		},
		{
			name:  "network built-in is refused",
			files: map[string]string{"a.rego": "package a\n\ndeny contains msg if {\n\tr := http.send({\"method\": \"get\", \"url\": \"http://example.com\"})\n\tmsg := r.body\n}\n"},
			want:  []string{"a.rego:4:7: rego_type_error: undefined function http.send"},
		},
		{
			name: "every broken file is listed",
			files: map[string]string{
				"a.rego":    "package a\n\ndeny contains msg if {\n",
				"b.rego":    "package b\n\nwarn contains \"x\" if {\n\tinput.kind ==\n}\n",
				"good.rego": "package good\n\ndeny contains \"x\" if input.kind == \"Pod\"\n",
			},
			want: []string{"a.rego:4:0: rego_parse_error: unexpected eof token", "b.rego:5:1:"},
		},
		{
			name:  "bad metadata",
			files: map[string]string{"a.rego": "# METADATA\n# custom:\n#   severity: urgent\npackage a\n\ndeny contains \"x\" if false\n"},
			want:  []string{`a.rego:1:1: custom.severity: "urgent" is not one of critical, high, medium, low, info`},
		},
		{
			name:  "bad controls",
			files: map[string]string{"a.rego": "# METADATA\n# custom:\n#   controls: [\"ISO:27001\"]\npackage a\n\ndeny contains \"x\" if false\n"},
			want:  []string{`a.rego:1:1: custom.controls: [0]: framework "ISO" is not one of CIS, NSA-CISA, PSS`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := testkit.WriteFiles(t, t.TempDir(), tt.files)
			e, err := Load(t.Context(), Options{Dirs: []string{dir}, NoBundled: true})
			if err == nil {
				t.Fatalf("Load succeeded with %d policies, want an error", len(e.Policies()))
			}
			got := strings.ReplaceAll(err.Error(), dir+"/", "")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("error = %q, want it to contain %q", got, w)
				}
			}
		})
	}
}

// TestCompileErrorType checks that callers can tell Rego errors apart and
// read their locations.
func TestCompileErrorType(t *testing.T) {
	dir := testkit.WriteFiles(t, t.TempDir(), map[string]string{"a.rego": "package a\n\ndeny contains x if {\n\tx := [1,\n}\n"})
	_, err := Load(t.Context(), Options{Dirs: []string{dir}, NoBundled: true})
	var ce *CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *CompileError", err)
	}
	if len(ce.Errors) == 0 || ce.Errors[0].File != dir+"/a.rego" || ce.Errors[0].Line != 5 || ce.Errors[0].Col != 1 {
		t.Errorf("errors = %+v, want one at a.rego:5:1", ce.Errors)
	}
}
