package propose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/clusterscribe/clusterscribe/propose/edit"
)

type dirReader string

func (d dirReader) ReadFile(p string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), filepath.FromSlash(p)))
}

const baseDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/shop/web:1.4.0
`

const prodKustomization = `resources:
  - ../../base
namePrefix: prod-
images:
  - name: registry.example.com/shop/web
    newTag: 1.4.0-prod # promoted by CI
replicas:
  - name: web
    count: 3
patches:
  - path: resources.yaml
  - path: env.yaml
    target:
      kind: Deployment
      name: web
`

// TestOriginKustomize: a field an overlay sets is written where the
// overlay sets it; one only the base declares, in the base.
func TestOriginKustomize(t *testing.T) {
	files := map[string]string{
		"base/kustomization.yaml":          "resources:\n  - deployment.yaml\n",
		"base/deployment.yaml":             baseDeployment,
		"overlays/prod/kustomization.yaml": prodKustomization,
		"overlays/prod/resources.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n" +
			"      containers:\n        - name: web\n          resources:\n            limits:\n              memory: 256Mi\n",
		"overlays/prod/env.yaml": "- op: add\n  path: /spec/template/spec/containers/0/env\n  value: [{name: MODE, value: prod}]\n",
	}
	root := testkit.WriteFiles(t, t.TempDir(), files)
	o := &origin{files: dirReader(root), ks: loadKustomizations(root)}
	f := findings.Finding{
		Type:   findings.Modified,
		Object: findings.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "prod-web"},
		Source: &findings.Source{File: "base/deployment.yaml", Line: 1},
	}
	decl, err := edit.Decode([]byte(baseDeployment), 1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		op    edit.Op
		want  target
		note  string
		wantC string // a line the edited file must hold
	}{
		{
			name:  "image set by an images entry",
			op:    edit.Op{Path: mustPath("spec.template.spec.containers[name=web].image"), Value: "registry.example.com/shop/web:1.4.1"},
			want:  target{file: "overlays/prod/kustomization.yaml", ops: imageOps("registry.example.com/shop/web", "", "registry.example.com/shop/web:1.4.1")},
			wantC: "    newTag: 1.4.1 # promoted by CI",
		},
		{
			name:  "replicas set by a replicas entry",
			op:    edit.Op{Path: mustPath("spec.replicas"), Value: int64(5)},
			want:  target{file: "overlays/prod/kustomization.yaml", ops: []edit.Op{{Path: mustPath("replicas[name=web].count"), Value: int64(5)}}},
			wantC: "    count: 5",
		},
		{
			name:  "field set by a strategic-merge patch",
			op:    edit.Op{Path: mustPath("spec.template.spec.containers[name=web].resources.limits.memory"), Value: "512Mi"},
			want:  target{file: "overlays/prod/resources.yaml", line: 1, ops: []edit.Op{{Path: mustPath("spec.template.spec.containers[name=web].resources.limits.memory"), Value: "512Mi"}}},
			wantC: "              memory: 512Mi",
		},
		{
			name: "field set by a JSON patch",
			op:   edit.Op{Path: mustPath("spec.template.spec.containers[name=web].env"), Value: []any{}},
			note: "spec.template.spec.containers[name=web].env is set by the JSON patch overlays/prod/env.yaml: not edited",
		},
		{
			name:  "field only the base declares",
			op:    edit.Op{Path: mustPath("metadata.labels.team"), Value: "web"},
			want:  target{file: "base/deployment.yaml", line: 1, ops: []edit.Op{{Path: mustPath("metadata.labels.team"), Value: "web"}}},
			wantC: "    team: web",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, note := o.resolve(f, decl, tt.op)
			if diff := cmp.Diff(tt.note, note); diff != "" {
				t.Fatalf("note (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(target{})); diff != "" {
				t.Fatalf("target (-want +got):\n%s", diff)
			}
			if tt.note != "" {
				return
			}
			b := &branch{changes: []*change{{finding: f, targets: []target{got}}}}
			if err := b.build(o.files); err != nil {
				t.Fatal(err)
			}
			if len(b.extra) > 0 {
				t.Fatalf("build notes: %v", b.extra)
			}
			if content := string(b.files[got.file]); !strings.Contains(content, tt.wantC+"\n") {
				t.Errorf("%s lacks %q:\n%s", got.file, tt.wantC, content)
			}
		})
	}
}

// TestOriginSharedBase: a field of a base that two overlays build on is
// not guessed into the base.
func TestOriginSharedBase(t *testing.T) {
	root := testkit.WriteFiles(t, t.TempDir(), map[string]string{
		"base/kustomization.yaml":             "resources:\n  - deployment.yaml\n",
		"base/deployment.yaml":                baseDeployment,
		"overlays/prod/kustomization.yaml":    "resources:\n  - ../../base\n",
		"overlays/staging/kustomization.yaml": "resources:\n  - ../../base\n",
	})
	o := &origin{files: dirReader(root), ks: loadKustomizations(root)}
	f := findings.Finding{Object: findings.ObjectRef{Kind: "Deployment", Name: "web"}, Source: &findings.Source{File: "base/deployment.yaml", Line: 1}}
	_, note := o.resolve(f, nil, edit.Op{Path: mustPath("spec.replicas"), Value: int64(5)})
	want := "spec.replicas is declared in base/deployment.yaml, a base that 2 kustomizations build on (overlays/prod, overlays/staging): set it in this cluster's overlay by hand"
	if diff := cmp.Diff(want, note); diff != "" {
		t.Errorf("note (-want +got):\n%s", diff)
	}
}
