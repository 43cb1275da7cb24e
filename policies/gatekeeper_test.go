package policies

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// TestGatekeeper evaluates templates shaped like the Gatekeeper library's
// (legacy and code/engine forms, Rego v0 and v1, libs, data.inventory,
// deprecated built-ins) with their Constraints' match blocks, parameters
// and enforcement actions.
func TestGatekeeper(t *testing.T) {
	e := mustLoad(t, Options{Dirs: []string{"testdata/gatekeeper"}, NoBundled: true})
	fs, stats, problems := mustEvaluateManifests(t, e, readManifests(t, "testdata/manifests/shop.yaml"))
	want := []row{
		{"HostsUnique/ingress-hosts-unique", "Ingress.networking.k8s.io lab/preview", findings.Fail, "host shop.example.com is also served by Ingress shop/storefront"},
		{"HostsUnique/ingress-hosts-unique", "Ingress.networking.k8s.io shop/storefront", findings.Fail, "host shop.example.com is also served by Ingress lab/preview"},
		{"LabelsRequired/namespaces-have-owner", "Namespace lab", findings.Fail, "label owner=Data-Science does not match ^[a-z]+$"},
		{"LabelsRequired/namespaces-have-owner", "Namespace scratch", findings.Fail, `missing labels: {"owner"}`},
		{"ReposAllowed/pods-from-acme", "Pod shop/web", findings.Warn, `sidecar uses image docker.io/envoyproxy/envoy:v1.30, not from ["ghcr.io/acme/"]`},
	}
	checkRows(t, want, fs)
	wantStats := map[string]stat{
		"HostsUnique/ingress-hosts-unique":     {Evaluated: 2, Failed: 2},
		"LabelsRequired/namespaces-have-owner": {Evaluated: 3, Failed: 2},
		"ReposAllowed/pods-from-acme":          {Evaluated: 1, Failed: 0},
	}
	if diff := cmp.Diff(wantStats, statsByID(stats)); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if len(problems) > 0 {
		t.Errorf("problems: %v", problems)
	}
	for _, f := range fs {
		if f.Source == nil || f.Source.File != "testdata/manifests/shop.yaml" || f.Source.Line == 0 {
			t.Errorf("%s: source %v, want the manifest's file and line", f.Object, f.Source)
		}
	}
	byID := map[string]Policy{}
	for _, p := range e.Policies() {
		byID[p.ID] = p
	}
	wantPolicy := Policy{
		ID:          "LabelsRequired/namespaces-have-owner",
		Title:       "Labels required",
		Severity:    findings.High,
		Description: "Objects must carry the listed labels, with values matching the given regular expressions.",
		Remediation: "Label the namespace with its owning team.",
		Controls:    []findings.Control{{Framework: "CIS", ID: "5.7.1"}},
		File:        "testdata/gatekeeper/requiredlabels.yaml",
		Dialect:     DialectGatekeeper,
		Outcome:     findings.Fail,
		Match: Match{
			Kinds:              []MatchKinds{{APIGroups: []string{""}, Kinds: []string{"Namespace"}}},
			ExcludedNamespaces: []string{"kube-*"},
		},
	}
	if diff := cmp.Diff(wantPolicy, byID[wantPolicy.ID]); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
}

const labelsTemplate = `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: needlabel
spec:
  crd:
    spec:
      names:
        kind: NeedLabel
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package needlabel

        violation[{"msg": "no label"}] {
          not input.review.object.metadata.labels[input.parameters.key]
        }
`

const labelsConstraint = `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: NeedLabel
metadata:
  name: need-app
spec:
  parameters:
    key: app
`

// TestGatekeeperLoadErrors checks that broken templates and constraints
// stop Load, and that Rego errors point into the YAML file.
func TestGatekeeperLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{
			name: "rego syntax error located in the YAML file",
			files: map[string]string{"t.yaml": strings.Replace(labelsTemplate,
				`not input.review.object.metadata.labels[input.parameters.key]`,
				`not input.review.object.metadata.labels[input.parameters.key`, 1)},
			// The bracket opened on line 16 is still open at the rule's
			// closing brace on line 17.
			want: "t.yaml:17:9: rego_parse_error",
		},
		{
			name: "compile error in a lib",
			files: map[string]string{"t.yaml": labelsTemplate + `      libs:
        - |
          package lib.x

          f(x) := y {
            y := undefined_function(x)
          }
`},
			want: "t.yaml:23:18: rego_type_error: undefined function undefined_function",
		},
		{
			name:  "no violation rule",
			files: map[string]string{"t.yaml": strings.Replace(labelsTemplate, "violation[", "deny[", 1)},
			want:  "t.yaml:13:9: ConstraintTemplate needlabel: package data.needlabel has no violation rule",
		},
		{
			name:  "constraint without template",
			files: map[string]string{"c.yaml": labelsConstraint},
			want:  "c.yaml:1: Constraint NeedLabel/need-app: no ConstraintTemplate defines kind NeedLabel",
		},
		{
			name:  "bad match",
			files: map[string]string{"t.yaml": labelsTemplate, "c.yaml": labelsConstraint + "  match:\n    scope: Everywhere\n"},
			want:  `c.yaml:1: match: scope "Everywhere" is not one of *, Cluster, Namespaced`,
		},
		{
			name:  "bad enforcement action",
			files: map[string]string{"t.yaml": labelsTemplate, "c.yaml": labelsConstraint + "  enforcementAction: block\n"},
			want:  `c.yaml:1: spec.enforcementAction "block" is not one of deny, warn, dryrun, scoped`,
		},
		{
			name:  "bad severity annotation",
			files: map[string]string{"t.yaml": labelsTemplate, "c.yaml": strings.Replace(labelsConstraint, "  name: need-app\n", "  name: need-app\n  annotations:\n    policy.clusterscribe.io/severity: urgent\n", 1)},
			want:  `c.yaml:1: policy.clusterscribe.io/severity: "urgent" is not one of`,
		},
		{
			name: "CEL without validations",
			files: map[string]string{"t.yaml": strings.Replace(labelsTemplate, "      rego: |", `      code:
        - engine: K8sNativeValidation
          source: {}
      unused: |`, 1)},
			want: "ConstraintTemplate needlabel: K8sNativeValidation source has no validations",
		},
		{
			name:  "two templates for one kind",
			files: map[string]string{"a.yaml": labelsTemplate, "b.yaml": labelsTemplate},
			want:  "ConstraintTemplate for kind NeedLabel is also defined at",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := testkit.WriteFiles(t, t.TempDir(), tt.files)
			_, err := Load(t.Context(), Options{Dirs: []string{dir}, NoBundled: true})
			if err == nil {
				t.Fatalf("Load succeeded, want error %q", tt.want)
			}
			got := strings.ReplaceAll(err.Error(), dir+"/", "")
			if !strings.Contains(got, tt.want) {
				t.Errorf("error = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

// TestGatekeeperParametersAbsent checks that a Constraint without
// parameters gives the template an empty object, as templates reading
// object.get(input, "parameters", {}) expect.
func TestGatekeeperParametersAbsent(t *testing.T) {
	tmpl := strings.Replace(labelsTemplate, `not input.review.object.metadata.labels[input.parameters.key]`,
		`input.parameters == {}`, 1)
	e := loadRego(t, Options{}, map[string]string{"t.yaml": tmpl, "c.yaml": "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: NeedLabel\nmetadata:\n  name: all\n"})
	fs, _, _ := mustEvaluate(t, e, objects(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: d}\n"), true)
	want := []row{{"NeedLabel/all", "ConfigMap d/c", findings.Fail, "no label"}}
	checkRows(t, want, fs)
	if !fs[0].Live {
		t.Error("finding of a live evaluation is not marked live")
	}
}
