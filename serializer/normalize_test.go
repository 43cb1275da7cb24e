package serializer

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const liveDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  uid: 3f0c2b7e-2a43-4c1e-9d8f-1b2c3d4e5f60
  resourceVersion: "48213"
  generation: 7
  creationTimestamp: "2024-05-01T10:00:00Z"
  annotations:
    deployment.kubernetes.io/revision: "7"
  labels:
    app: web
  managedFields:
  - manager: kubectl
    operation: Update
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
      volumes:
      - name: cache
        emptyDir: {}
status:
  replicas: 3
  readyReplicas: 3
`

const normalizedDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
      volumes:
      - name: cache
        emptyDir: {}
`

func TestNormalize(t *testing.T) {
	live := object(t, liveDeployment)
	before := live.DeepCopy()
	s := newTestSerializer(t, Options{})
	got, err := s.Normalize(live)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(objectMap(t, normalizedDeployment), got.Object); diff != "" {
		t.Errorf("Normalize (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before.Object, live.Object); diff != "" {
		t.Errorf("Normalize modified its input (-before +after):\n%s", diff)
	}
	// The result shares nothing with the input.
	unstructured.RemoveNestedField(got.Object, "spec", "template", "spec")
	if _, found, _ := unstructured.NestedFieldNoCopy(live.Object, "spec", "template", "spec"); !found {
		t.Error("changing Normalize's result changed its input")
	}
}

func TestNormalizeOptions(t *testing.T) {
	isWeb := func(gk schema.GroupKind, ns, name string) bool {
		return gk == schema.GroupKind{Group: "apps", Kind: "Deployment"} && ns == "shop" && name == "web"
	}
	extra := func(s string) Rule {
		r, err := ParseRule(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tests := []struct {
		name string
		opts Options
		in   string
		// edit turns normalizedDeployment into the expected result.
		edit func(m map[string]any)
	}{
		{
			name: "defaults",
			in:   liveDeployment,
			edit: func(map[string]any) {},
		},
		{
			name: "status rule disabled",
			opts: Options{DisableRules: []string{"status"}},
			in:   liveDeployment,
			edit: func(m map[string]any) {
				m["status"] = map[string]any{"replicas": int64(3), "readyReplicas": int64(3)}
			},
		},
		{
			name: "autoscaled",
			opts: Options{Autoscaled: isWeb},
			in:   liveDeployment,
			edit: func(m map[string]any) { unstructured.RemoveNestedField(m, "spec", "replicas") },
		},
		{
			name: "autoscaled rule disabled",
			opts: Options{Autoscaled: isWeb, DisableRules: []string{RuleAutoscaledReplicas}},
			in:   liveDeployment,
			edit: func(map[string]any) {},
		},
		{
			name: "autoscaler targets another object",
			opts: Options{Autoscaled: func(schema.GroupKind, string, string) bool { return false }},
			in:   liveDeployment,
			edit: func(map[string]any) {},
		},
		{
			name: "extra rule for the kind",
			opts: Options{ExtraRules: []Rule{extra("Deployment.apps:/spec/template/spec/volumes/0/emptyDir")}},
			in:   liveDeployment,
			edit: func(m map[string]any) {
				vols, _, _ := unstructured.NestedSlice(m, "spec", "template", "spec", "volumes")
				delete(vols[0].(map[string]any), "emptyDir")
				_ = unstructured.SetNestedSlice(m, vols, "spec", "template", "spec", "volumes")
			},
		},
		{
			name: "extra rule for another group",
			opts: Options{ExtraRules: []Rule{extra("Deployment.example.com:/spec/replicas")}},
			in:   liveDeployment,
			edit: func(map[string]any) {},
		},
		{
			name: "extra rule for every kind empties labels",
			opts: Options{ExtraRules: []Rule{extra(":/metadata/labels/app")}},
			in:   liveDeployment,
			edit: func(m map[string]any) { unstructured.RemoveNestedField(m, "metadata", "labels") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSerializer(t, tt.opts)
			got, err := s.Normalize(object(t, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			want := objectMap(t, normalizedDeployment)
			tt.edit(want)
			if diff := cmp.Diff(want, got.Object); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNormalizeKindMatching(t *testing.T) {
	// A Service of another group is not a core Service: its clusterIP stays.
	knative := "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: a}\nspec: {clusterIP: 10.0.0.1}\n"
	core := "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {clusterIP: 10.0.0.1}\n"
	s := newTestSerializer(t, Options{})
	tests := []struct {
		name, in string
		want     bool // clusterIP kept
	}{
		{name: "knative Service", in: knative, want: true},
		{name: "core Service", in: core, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Normalize(object(t, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			_, kept, _ := unstructured.NestedString(got.Object, "spec", "clusterIP")
			if kept != tt.want {
				t.Errorf("clusterIP kept = %v, want %v", kept, tt.want)
			}
		})
	}
}

func TestNormalizeEmptyMetadataMaps(t *testing.T) {
	in := `
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: "{}"
  labels: {}
data: {}
`
	want := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {}\n"
	s := newTestSerializer(t, Options{})
	got, err := s.Normalize(object(t, in))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(objectMap(t, want), got.Object); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestNormalizeAcceptsGoNumbersRejectsOtherTypes(t *testing.T) {
	s := newTestSerializer(t, Options{})
	got, err := s.Normalize(&unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"spec": map[string]any{"a": 1, "b": int32(2), "c": float32(0.5), "d": uint8(4)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": int64(1), "b": int64(2), "c": 0.5, "d": int64(4)}
	if diff := cmp.Diff(want, got.Object["spec"]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	_, err = s.Normalize(&unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"data": map[string]any{"x/y": []any{struct{}{}}},
	}})
	if err == nil || !strings.Contains(err.Error(), "at /data/x~1y/0") {
		t.Errorf("Normalize error = %v, want one locating /data/x~1y/0", err)
	}
	if _, err := s.Normalize(nil); err == nil {
		t.Error("Normalize(nil) succeeded")
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr error
	}{
		{name: "unknown mode", opts: Options{Secrets: "plain"}},
		{name: "encrypt without recipients", opts: Options{Secrets: SecretsEncrypt}},
		{name: "bad recipient", opts: Options{Secrets: SecretsEncrypt, AgeRecipients: []string{"age1nope"}}},
		{name: "unknown disabled rule", opts: Options{DisableRules: []string{"metadata.nope"}}, wantErr: ErrUnknownRule},
		{name: "extra rule reuses a default name", opts: Options{ExtraRules: []Rule{{Name: "status", Pointers: []string{"/x"}}}}, wantErr: ErrInvalidRule},
		{name: "extra rules share a name", opts: Options{ExtraRules: []Rule{
			{Name: "x", Pointers: []string{"/x"}}, {Name: "x", Pointers: []string{"/y"}},
		}}, wantErr: ErrInvalidRule},
		{name: "extra rule without action", opts: Options{ExtraRules: []Rule{{Name: "x"}}}, wantErr: ErrInvalidRule},
		{name: "extra rule without name", opts: Options{ExtraRules: []Rule{{Pointers: []string{"/x"}}}}, wantErr: ErrInvalidRule},
		{name: "extra rule with bad pointer", opts: Options{ExtraRules: []Rule{{Name: "x", Pointers: []string{"x"}}}}, wantErr: ErrInvalidRule},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if err == nil {
				t.Fatal("New succeeded")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("New error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestRuleFnErrorNamesTheRule(t *testing.T) {
	s := newTestSerializer(t, Options{ExtraRules: []Rule{{
		Name: "always-fails",
		Fn:   func(map[string]any) error { return errors.New("boom") },
	}}})
	_, err := s.Normalize(object(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: b}\n"))
	if err == nil || !strings.Contains(err.Error(), "rule always-fails: boom") || !strings.Contains(err.Error(), "ConfigMap b/a") {
		t.Errorf("error = %v, want it to name the rule and the object", err)
	}
}
