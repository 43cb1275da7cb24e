package policies

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

const vapSecrets = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: secret-keys
  annotations:
    policy.clusterscribe.io/controls: "CIS:5.4.1"
spec:
  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE"]
        resources: ["secrets"]
  validations:
    - expression: "!has(object.data) || !('password' in object.data)"
      messageExpression: "'secret ' + object.metadata.name + ' holds password=' + object.data.password"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: secret-keys-prod
spec:
  policyName: secret-keys
  validationActions: [Warn]
  matchResources:
    namespaceSelector:
      matchLabels:
        env: prod
`

// TestVAPEvaluate evaluates a ValidatingAdmissionPolicy on live objects:
// the binding's namespaceSelector reads the Namespace objects' labels,
// Warn maps to a medium warning, and a Secret's values are redacted
// before CEL sees them.
func TestVAPEvaluate(t *testing.T) {
	e := loadRego(t, Options{}, map[string]string{"vap.yaml": vapSecrets})
	objs := objects(t,
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {env: prod}}",
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: lab, labels: {env: dev}}",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\ndata: {password: aHVudGVyMg==}",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: lab}\ndata: {password: aHVudGVyMg==}",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: tls, namespace: shop}\ndata: {tls.crt: eA==}",
	)
	fs, stats, problems := mustEvaluate(t, e, objs, true)
	want := []row{{"ValidatingAdmissionPolicyBinding/secret-keys-prod", "Secret shop/db", findings.Warn, "secret db holds password=<redacted>"}}
	checkRows(t, want, fs)
	if diff := cmp.Diff(map[string]stat{"ValidatingAdmissionPolicyBinding/secret-keys-prod": {Evaluated: 2}}, statsByID(stats)); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if len(problems) > 0 {
		t.Errorf("problems: %v", problems)
	}
	p := e.Policies()[0]
	if p.Severity != findings.Medium || p.Dialect != DialectVAP || p.Title != "secret-keys" || len(p.Controls) != 1 {
		t.Errorf("policy = %+v, want a medium %s policy titled secret-keys with one control", p, DialectVAP)
	}
	for _, c := range []struct {
		apiVersion, kind string
		want             bool
	}{{"v1", "Secret", true}, {"v1", "Namespace", true}, {"v1", "ConfigMap", false}, {"apps/v1", "Deployment", false}} {
		if got := e.Judges(c.apiVersion, c.kind); got != c.want {
			t.Errorf("Judges(%s, %s) = %v, want %v", c.apiVersion, c.kind, got, c.want)
		}
	}
}

// TestCELBothEngines: a template with Rego and K8sNativeValidation code
// is evaluated with its CEL, as Gatekeeper does.
func TestCELBothEngines(t *testing.T) {
	dir := testkit.WriteFiles(t, t.TempDir(), map[string]string{"t.yaml": `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: both}
spec:
  crd: {spec: {names: {kind: Both}}}
  targets:
    - target: admission.k8s.gatekeeper.sh
      code:
        - engine: Rego
          source:
            rego: |
              package both
              violation[{"msg": "from rego"}] { true }
        - engine: K8sNativeValidation
          source:
            validations:
              - expression: "false"
                messageExpression: "'from cel: ' + variables.params.word + ' ' + variables.anyObject.metadata.name"
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: Both
metadata: {name: both}
spec:
  parameters: {word: hello}
`})
	e := mustLoad(t, Options{Dirs: []string{dir}, NoBundled: true})
	fs, _, _ := mustEvaluate(t, e, objects(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: a}"), true)
	want := []row{{"Both/both", "ConfigMap a/cm", findings.Fail, "from cel: hello cm"}}
	checkRows(t, want, fs)
}

// TestCELCompileErrors: a CEL expression that does not compile fails the
// load at its file and line, naming the expression.
func TestCELCompileErrors(t *testing.T) {
	dir := testkit.WriteFiles(t, t.TempDir(), map[string]string{
		"vap.yaml": strings.Replace(vapSecrets, "      messageExpression:", "      messageExpression: \"object.metadata.nope(\"\n      message:", 1),
		"t.yaml": `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: broken}
spec:
  crd: {spec: {names: {kind: Broken}}}
  targets:
    - target: admission.k8s.gatekeeper.sh
      code:
        - engine: K8sNativeValidation
          source:
            variables:
              - name: ok
                expression: "1"
              - name: bad
                expression: "variables.nothing + 1"
            validations:
              - expression: "1 + 1"
`,
	})
	_, err := Load(t.Context(), Options{Dirs: []string{dir}, NoBundled: true})
	var ce *CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("Load: %v, want a *CompileError", err)
	}
	type loc struct {
		File string
		Line int
		Has  string
	}
	var got []loc
	for _, e := range ce.Errors {
		got = append(got, loc{filepath.Base(e.File), e.Line, e.Message})
	}
	want := []loc{
		{"t.yaml", 15, `ConstraintTemplate broken: spec.targets[0].code[0].source.variables[1].expression: CEL expression "variables.nothing + 1"`},
		{"t.yaml", 17, `spec.targets[0].code[0].source.validations[0].expression: CEL expression "1 + 1": must evaluate to bool`},
		{"vap.yaml", 16, `ValidatingAdmissionPolicy secret-keys: spec.validations[0].messageExpression: CEL expression "object.metadata.nope("`},
	}
	if len(got) != len(want) {
		t.Fatalf("errors: %v, want %d", ce.Errors, len(want))
	}
	for i := range want {
		if got[i].File != want[i].File || got[i].Line != want[i].Line || !strings.Contains(got[i].Has, want[i].Has) {
			t.Errorf("error %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestVAPLoadErrors: bindings that cannot work fail the load, naming the
// file and line and what to do.
func TestVAPLoadErrors(t *testing.T) {
	policy := strings.Split(vapSecrets, "---\n")[0]
	withParams := strings.Replace(policy, "spec:\n", "spec:\n  paramKind: {apiVersion: v1, kind: ConfigMap}\n", 1)
	for name, c := range map[string]struct{ policy, binding, want string }{
		"no paramRef": {
			withParams, "spec: {policyName: secret-keys, validationActions: [Deny]}",
			"b.yaml:1: ValidatingAdmissionPolicyBinding b: spec.paramRef is required: ValidatingAdmissionPolicy secret-keys has paramKind v1 ConfigMap",
		},
		"unknown policy": {
			policy,
			"spec: {policyName: nope, validationActions: [Deny]}",
			`b.yaml:1: ValidatingAdmissionPolicyBinding b: no ValidatingAdmissionPolicy named "nope"`,
		},
		"no actions": {
			policy,
			"spec: {policyName: secret-keys}",
			"b.yaml:1: ValidatingAdmissionPolicyBinding b: spec.validationActions is required",
		},
		"bad action": {
			policy,
			"spec: {policyName: secret-keys, validationActions: [Block]}",
			`"Block" is not one of Deny, Warn, Audit`,
		},
		"unknown field": {
			policy,
			"spec: {policyName: secret-keys, validationAction: [Deny]}",
			`unknown field "validationAction"`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := testkit.WriteFiles(t, t.TempDir(), map[string]string{
				"p.yaml": c.policy,
				"b.yaml": "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: b}\n" + c.binding + "\n",
			})
			_, err := Load(t.Context(), Options{Dirs: []string{dir}, NoBundled: true})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Load: %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestCELCostLimit: an expression that runs past the API server's runtime
// cost budget gives an error finding for the object; the run goes on.
func TestCELCostLimit(t *testing.T) {
	dir := testkit.WriteFiles(t, t.TempDir(), map[string]string{"vap.yaml": `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: expensive}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"]}
  validations:
    - expression: "object.data.all(k, object.data[k].matches('^(a|b)*$') && object.data[k].lowerAscii().matches('^[a-z]*$'))"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: expensive}
spec: {policyName: expensive, validationActions: [Deny]}
`})
	// The cost limit stops the expression, not the timeout.
	e := mustLoad(t, Options{Dirs: []string{dir}, NoBundled: true, Timeout: 10 * time.Minute})
	big := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: a}\ndata: {k1: %[1]s, k2: %[1]s, k3: %[1]s}", strings.Repeat("a", 1<<20))
	objs := objects(t, big, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: small, namespace: a}\ndata: {k: a}")
	fs, stats, problems := mustEvaluate(t, e, objs, true)
	if len(fs) != 1 || fs[0].Policy.Outcome != findings.Error || fs[0].Object.Name != "big" || !strings.Contains(fs[0].Message, "cost limit exceeded") {
		t.Errorf("findings = %v, want one error on big about the cost limit", rows(fs))
	}
	if diff := cmp.Diff(map[string]stat{"ValidatingAdmissionPolicyBinding/expensive": {Evaluated: 2, Failed: 1}}, statsByID(stats)); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if len(problems) != 1 {
		t.Errorf("problems = %v, want one naming the policy", problems)
	}
}
