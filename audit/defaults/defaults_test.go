package defaults_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/audit/defaults"
)

func parse(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := utiljson.Unmarshal(j, &m); err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: m}
}

func TestApplyBuiltinDefaultsInsideListItems(t *testing.T) {
	s, err := defaults.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, obj, want string }{{
		name: "env fieldRef apiVersion; imagePullPolicy depends on the tag and stays unset",
		obj: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: web
        image: web:1
        env:
        - name: NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        ports: [{containerPort: 80}]`,
		want: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  progressDeadlineSeconds: 600
  replicas: 1
  revisionHistoryLimit: 10
  template:
    spec:
      containers:
      - name: web
        image: web:1
        env:
        - name: NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName, apiVersion: v1}}
        ports: [{containerPort: 80, protocol: TCP}]
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      terminationGracePeriodSeconds: 30`,
	}, {
		name: "webhook rules scope",
		obj: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: v}
webhooks:
- name: v.example.com
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]`,
		want: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: v}
webhooks:
- name: v.example.com
  failurePolicy: Fail
  matchPolicy: Equivalent
  timeoutSeconds: 10
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods], scope: "*"}]`,
	}, {
		name: "network policy port protocol; policyTypes depend on egress and stay unset",
		obj: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: n}
spec:
  ingress: [{ports: [{port: 80}]}]`,
		want: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: n}
spec:
  ingress: [{ports: [{port: 80, protocol: TCP}]}]`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			obj := parse(t, tc.obj)
			got := s.Apply(obj)
			if diff := cmp.Diff(parse(t, tc.want).Object, got); diff != "" {
				t.Errorf("defaulted (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(parse(t, tc.obj).Object, obj.Object); diff != "" {
				t.Errorf("Apply changed its argument:\n%s", diff)
			}
		})
	}
}

func TestApplyCRDStructuralDefaults(t *testing.T) {
	crd := parse(t, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, default: 3}
              ports:
                type: array
                items:
                  type: object
                  properties:
                    port: {type: integer}
                    protocol: {type: string, default: TCP}`)
	s, err := defaults.New([]*unstructured.Unstructured{crd})
	if err != nil {
		t.Fatal(err)
	}
	got := s.Apply(parse(t, `{apiVersion: example.com/v1, kind: Widget, metadata: {name: w}, spec: {ports: [{port: 80}]}}`))
	want := parse(t, `{apiVersion: example.com/v1, kind: Widget, metadata: {name: w}, spec: {size: 3, ports: [{port: 80, protocol: TCP}]}}`)
	if diff := cmp.Diff(want.Object, got); diff != "" {
		t.Errorf("defaulted (-want +got):\n%s", diff)
	}
	if got := s.Apply(parse(t, `{apiVersion: example.com/v2, kind: Widget, metadata: {name: w}}`)); got != nil {
		t.Errorf("a version the CRD does not define got defaults: %v", got)
	}
}

func TestNewReportsUnreadableCRD(t *testing.T) {
	bad := parse(t, `{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, metadata: {name: x.example.com}, spec: {versions: 3}}`)
	if _, err := defaults.New([]*unstructured.Unstructured{bad}); err == nil {
		t.Fatal("want an error for a CRD whose versions are not a list")
	}
}

// TestBuiltinTableIsCurrent regenerates the table from the upstream
// defaulting functions of the Kubernetes version the control plane is
// built from, and fails when builtin.json differs.
func TestBuiltinTableIsCurrent(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	want := k8sVersion(t, filepath.Join(root, "hack", "testbin.sh"), `(?m)^K8S_VERSION=(\S+)$`)
	if got := defaults.KubernetesVersion(); got != want {
		t.Fatalf("builtin.json is for Kubernetes %s, the control plane is %s: regenerate it (cd deploy/local/defaults && go run . > ../../../audit/defaults/builtin.json)", got, want)
	}
	if gen := k8sVersion(t, filepath.Join(root, "deploy", "local", "defaults", "go.mod"), `(?m)^\s*k8s.io/kubernetes (\S+)$`); gen != want {
		t.Fatalf("deploy/local/defaults requires k8s.io/kubernetes %s, the control plane is %s", gen, want)
	}
	cmd := exec.CommandContext(t.Context(), "go", "run", "-trimpath", ".")
	cmd.Dir = filepath.Join(root, "deploy", "local", "defaults")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run deploy/local/defaults: %v\n%s", err, stderr.String())
	}
	have, err := os.ReadFile("builtin.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, have) {
		t.Errorf("builtin.json is stale: regenerate it (cd deploy/local/defaults && go run . > ../../../audit/defaults/builtin.json)\n%s",
			cmp.Diff(string(have), string(out)))
	}
}

func k8sVersion(t *testing.T, file, re string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(re).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: no Kubernetes version (%s)", file, re)
	}
	return string(m[1])
}
