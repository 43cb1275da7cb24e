package declared

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

func TestParseManifests(t *testing.T) {
	type obj struct {
		Kind, Name string
		Line       int
	}
	tests := []struct {
		name     string
		in       string
		want     []obj
		problems []findings.Problem
	}{
		{
			name: "documents, comments and a list",
			in: "# head\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n---\n" +
				"apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: b}\n" +
				"  - apiVersion: v1\n    kind: Secret\n    metadata: {name: c}\n",
			want: []obj{{"ConfigMap", "a", 2}, {"Secret", "b", 11}, {"Secret", "c", 14}},
		},
		{
			name: "not manifests",
			in:   "replicaCount: 3\n---\n- a\n- b\n---\nplain scalar\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
		},
		{
			name: "malformed document between good ones",
			in: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n" +
				"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  x: \"1\"\n    y: 2\n---\n" +
				"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
			want:     []obj{{"ConfigMap", "a", 1}, {"ConfigMap", "c", 13}},
			problems: []findings.Problem{{Source: findings.Source{File: "f.yaml", Line: 11}, Message: "malformed YAML: did not find expected key"}},
		},
		{
			name:     "tab indentation",
			in:       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n",
			problems: []findings.Problem{{Source: findings.Source{File: "f.yaml", Line: 4}, Message: "malformed YAML: found character that cannot start any token"}},
		},
		{
			name:     "duplicate key",
			in:       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n",
			problems: []findings.Problem{{Source: findings.Source{File: "f.yaml", Line: 5}, Message: `malformed YAML: mapping key "name" already defined at line 4`}},
		},
		{
			name:     "no name",
			in:       "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: x-\n",
			problems: []findings.Problem{{Source: findings.Source{File: "f.yaml", Line: 1}, Message: "batch/v1 Job has no metadata.name; only named objects can be audited"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, problems := parseManifests("f.yaml", []byte(tt.in))
			var got []obj
			for _, o := range objs {
				if o.Source.File != "f.yaml" {
					t.Errorf("source file = %q", o.Source.File)
				}
				got = append(got, obj{o.Object.GetKind(), o.Object.GetName(), o.Source.Line})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.problems, problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseManifestsNumbers(t *testing.T) {
	objs, problems := parseManifests("f.yaml", []byte("apiVersion: v1\nkind: X\nmetadata: {name: a}\nspec: {i: 3, f: 1.5, b: yes, s: '3'}\n"))
	if len(problems) != 0 || len(objs) != 1 {
		t.Fatalf("objects %v, problems %v", objs, problems)
	}
	want := map[string]any{"i": int64(3), "f": 1.5, "b": true, "s": "3"}
	if diff := cmp.Diff(want, objs[0].Object.Object["spec"]); diff != "" {
		t.Errorf("spec (-want +got):\n%s", diff)
	}
}
