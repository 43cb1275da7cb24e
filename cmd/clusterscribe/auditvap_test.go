package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/sarifschema"
)

const vapManifest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  namespace: %NS%
  labels:
    app: web
data:
  replicas: "12"
`

const vapPolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: owner-label
spec:
  paramKind:
    apiVersion: v1
    kind: ConfigMap
  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["configmaps"]
  matchConditions:
    - name: labelled-app
      expression: has(object.metadata.labels) && 'app' in object.metadata.labels
  validations:
    - expression: has(object.metadata.labels) && params.data.label in object.metadata.labels
      messageExpression: "'configmap ' + object.metadata.name + ' needs label ' + params.data.label"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: owner-label-%NS%
spec:
  policyName: owner-label
  validationActions: [Deny]
  paramRef:
    name: owner-label
    namespace: policy-params
    parameterNotFoundAction: Deny
  matchResources:
    namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: %NS%
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: owner-label
  namespace: policy-params
data:
  label: owner
`

// TestAuditVAP runs audit --policies with a ValidatingAdmissionPolicy,
// its binding and its ConfigMap params against a real control plane: the
// binding's namespaceSelector reads the live Namespace's labels, and the
// finding carries the policy's message.
func TestAuditVAP(t *testing.T) {
	dir, kubeconfig := clusterKubeconfig(t)
	ns := cluster.Namespace(t, "vap")
	manifest := strings.ReplaceAll(vapManifest, "%NS%", ns)
	applyManifest(t, manifest)
	declared, rules := filepath.Join(dir, "declared"), filepath.Join(dir, "rules")
	for d, content := range map[string]string{declared: manifest, rules: strings.ReplaceAll(vapPolicy, "%NS%", ns)} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "objects.yaml"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	report := filepath.Join(dir, "audit.json")
	_, _, err := runCommand(t, "audit", "--kubeconfig", kubeconfig, "--declared", declared,
		"--policies", rules, "--no-bundled", "-o", "json", "--output-file", report)
	if code := exitCode(err); err == nil || code != exitDrift {
		t.Fatalf("error %v, exit code %d, want %d (policies failed)", err, code, exitDrift)
	}
	rep := readReport(t, report)
	var got []string
	for _, f := range rep.Findings {
		if f.Type == findings.Policy {
			got = append(got, f.Policy.ID+" "+f.Object.String()+" "+string(f.Policy.Outcome)+": "+f.Message)
		}
	}
	want := "ValidatingAdmissionPolicyBinding/owner-label-" + ns + " ConfigMap " + ns + "/web fail: configmap web needs label owner"
	if len(got) != 1 || got[0] != want {
		t.Errorf("policy findings:\n%s\nwant only:\n%s", strings.Join(got, "\n"), want)
	}

	out, _, err := runCommand(t, "audit", "--kubeconfig", kubeconfig, "--declared", declared,
		"--policies", rules, "--no-bundled", "-o", "sarif")
	if code := exitCode(err); code != exitDrift {
		t.Fatalf("sarif: error %v, exit code %d, want %d", err, code, exitDrift)
	}
	sarifschema.Validate(t, "audit -o sarif", []byte(out))
	if !strings.Contains(out, "configmap web needs label owner") {
		t.Errorf("audit -o sarif lacks the policy's message:\n%s", out)
	}
}
