package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

const privilegedPod = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        privileged: true
`

const plainConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  mode: prod
`

func exitCodeOf(err error) int {
	if err == nil {
		return 0
	}
	return exitCode(err)
}

func TestPolicyTestExitCodes(t *testing.T) {
	dir := testkit.WriteFiles(t, t.TempDir(), map[string]string{
		"manifests/pod.yaml":        privilegedPod,
		"manifests/configmap.yaml":  plainConfigMap,
		"broken/bad.yaml":           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
		"rules/settings.rego":       "package settings\n\ndeny contains \"mode must be prod\" if {\n\tinput.kind == \"ConfigMap\"\n\tinput.data.mode != \"prod\"\n}\n",
		"rules-warn/w.rego":         "package w\n\nwarn contains \"pods should have labels\" if input.kind == \"Pod\"\n",
		"rules-broken/broken.rego":  "package broken\n\ndeny contains msg if {\n\tmsg := concat(\"\", [\"a\"\n}\n",
		"rules-template/tmpl.yaml":  "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata:\n  name: t\nspec:\n  crd:\n    spec:\n      names:\n        kind: T\n  targets:\n    - target: admission.k8s.gatekeeper.sh\n      rego: |\n        package t\n        violation[{\"msg\": \"pod\"}] {\n          input.review.kind.kind == \"Pod\"\n        }\n",
		"rules-template/const.yaml": "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: T\nmetadata:\n  name: no-pods\n",
	})
	p := func(rel string) string { return filepath.Join(dir, rel) }
	tests := []struct {
		name    string
		args    []string
		code    int
		errText string
		ids     []string
	}{
		{
			name: "user policy passes",
			args: []string{"--no-bundled", "--policies", p("rules"), p("manifests/configmap.yaml")},
			code: 0,
		},
		{
			name: "warnings do not fail",
			args: []string{"--no-bundled", "--policies", p("rules-warn"), p("manifests")},
			code: 0,
			ids:  []string{"w.warn"},
		},
		{
			name:    "bundled policies fail a privileged pod",
			args:    []string{p("manifests")},
			code:    1,
			errText: "policies failed",
			ids:     []string{"privileged-container"},
		},
		{
			name:    "gatekeeper violation fails",
			args:    []string{"--no-bundled", "--policies", p("rules-template"), p("manifests")},
			code:    1,
			errText: "policies failed: 1 finding(s) on 2 object(s)",
			ids:     []string{"T/no-pods"},
		},
		{
			name:    "rego that does not compile",
			args:    []string{"--policies", p("rules-broken"), p("manifests")},
			code:    2,
			errText: "broken.rego:5:1: rego_parse_error",
		},
		{
			name:    "unreadable manifest",
			args:    []string{"--no-bundled", "--policies", p("rules"), p("manifests/configmap.yaml"), p("broken")},
			code:    2,
			errText: "1 manifest(s) could not be read",
		},
		{
			name:    "missing manifest",
			args:    []string{p("nothing-here.yaml")},
			code:    2,
			errText: "nothing-here.yaml",
		},
		{
			name:    "no manifests",
			args:    nil,
			code:    2,
			errText: "policy test needs manifest files",
		},
		{
			name:    "unknown format",
			args:    []string{"-o", "pdf", p("manifests")},
			code:    2,
			errText: `--output: "pdf" is not one of`,
		},
		{
			name:    "bad flag",
			args:    []string{"--required-labels", "=x", p("manifests")},
			code:    2,
			errText: "empty key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"policy", "test", "-o", "json"}, tt.args...)
			out, _, err := runCommand(t, args...)
			if got := exitCodeOf(err); got != tt.code {
				t.Fatalf("exit code = %d (error %v), want %d", got, err, tt.code)
			}
			if tt.errText != "" && (err == nil || !strings.Contains(err.Error(), tt.errText)) {
				t.Errorf("error = %v, want it to contain %q", err, tt.errText)
			}
			if len(tt.ids) == 0 {
				return
			}
			var rep findings.Report
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("report is not JSON: %v\n%s", err, out)
			}
			ids := map[string]bool{}
			for _, f := range rep.Findings {
				ids[f.Policy.ID] = true
			}
			for _, id := range tt.ids {
				if !ids[id] {
					t.Errorf("report has no finding of %s: %s", id, out)
				}
			}
		})
	}
}

// TestPolicyTestOutputAndStdin checks --output-file (written atomically, nothing
// on standard output) and manifests read from standard input.
func TestPolicyTestOutputAndStdin(t *testing.T) {
	dir := t.TempDir()
	outFile := filepath.Join(dir, "report.json")
	var out, errOut strings.Builder
	cmd := newRootCommand(genericiooptions.IOStreams{In: strings.NewReader(privilegedPod), Out: &out, ErrOut: &errOut})
	cmd.SetArgs([]string{"policy", "test", "-o", "json", "--output-file", outFile, "-"})
	err := cmd.ExecuteContext(t.Context())
	if exitCodeOf(err) != 1 {
		t.Fatalf("exit code = %d (%v), want 1", exitCodeOf(err), err)
	}
	if out.Len() != 0 {
		t.Errorf("standard output = %q, want nothing", out.String())
	}
	rep := readReport(t, outFile)
	if len(rep.Findings) == 0 || rep.Findings[0].Source == nil || rep.Findings[0].Source.File != "-" {
		t.Errorf("findings = %+v, want findings located in -", rep.Findings)
	}
	if len(rep.Policies) == 0 {
		t.Error("report has no policy stats")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files in the output directory: %v, want only the report", entries)
	}
}

func TestPolicyList(t *testing.T) {
	out, _, err := runCommand(t, "policy", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ID", "privileged-container", "critical", "CIS:5.2.2", "PSS:baseline"} {
		if !strings.Contains(out, want) {
			t.Errorf("policy list lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCommand(t, "policy", "list", "-o", "json", "--allowed-registries", "ghcr.io/acme")
	if err != nil {
		t.Fatal(err)
	}
	var list []struct{ ID string }
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	found := false
	for _, p := range list {
		found = found || p.ID == "image-registry"
	}
	if !found {
		t.Errorf("image-registry is not listed with an allow-list: %s", out)
	}
	_, _, err = runCommand(t, "policy", "list", "-o", "csv")
	if exitCodeOf(err) != 2 {
		t.Errorf("policy list -o csv: exit code %d (%v), want 2", exitCodeOf(err), err)
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		t.Errorf("error %v carries no exit code", err)
	}
}
