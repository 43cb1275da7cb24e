package ignore_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit/ignore"
)

func deployment(name, ns string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": name, "namespace": ns},
	}}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []ignore.Rule
		wantErr string
	}{
		{
			name: "argo cd fields",
			in: `ignoreDifferences:
  - group: apps
    kind: Deployment
    name: web
    namespace: shop
    jsonPointers: [/spec/replicas]
  - kind: ConfigMap
    managedFieldsManagers: [ops-bot]
`,
			want: []ignore.Rule{
				{Group: "apps", Kind: "Deployment", Name: "web", Namespace: "shop", JSONPointers: []string{"/spec/replicas"}},
				{Kind: "ConfigMap", ManagedFieldsManagers: []string{"ops-bot"}},
			},
		},
		{name: "empty file"},
		{name: "unknown field", in: "ignoreDifferences:\n  - kind: X\n    jsonPointer: [/a]\n", wantErr: `unknown field "jsonPointer"`},
		{name: "jq paths", in: "ignoreDifferences:\n  - kind: X\n    jqPathExpressions: ['.a']\n", wantErr: "jqPathExpressions are not supported"},
		{name: "no kind", in: "ignoreDifferences:\n  - jsonPointers: [/a]\n", wantErr: "kind is required"},
		{name: "nothing ignored", in: "ignoreDifferences:\n  - kind: X\n", wantErr: "would ignore nothing"},
		{name: "bad pointer", in: "ignoreDifferences:\n  - kind: X\n    jsonPointers: [spec/replicas]\n", wantErr: `must start with "/"`},
		{name: "bad escape", in: "ignoreDifferences:\n  - kind: X\n    jsonPointers: [/a~2]\n", wantErr: `"~" must be followed by 0 or 1`},
		{name: "bad glob", in: "ignoreDifferences:\n  - kind: X\n    name: '[a'\n    jsonPointers: [/a]\n", wantErr: "bad name or namespace pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkParse(t, "rules.yaml", tt.in, tt.want, tt.wantErr)
			// Every error names the file first, as a compiler does.
			if err != nil && !strings.HasPrefix(err.Error(), "rules.yaml: ") {
				t.Errorf("error %q does not start with the file's name", err)
			}
		})
	}
}

// checkParse parses in as the file named file and checks that it gives
// the rules want, or, when wantErr is set, an error that contains wantErr,
// which it returns.
func checkParse(t *testing.T, file, in string, want []ignore.Rule, wantErr string) error {
	t.Helper()
	got, err := ignore.Parse([]byte(in), file)
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error = %v, want it to contain %q", err, wantErr)
		}
		return err
	}
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	return nil
}

func TestLoadFile(t *testing.T) {
	name := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(name, []byte("ignoreDifferences:\n  - kind: '*'\n    group: '*'\n    managedFieldsManagers: [a]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rules, err := ignore.LoadFile(name)
	if err != nil || len(rules) != 1 {
		t.Fatalf("rules %v, error %v", rules, err)
	}
	if _, err := ignore.LoadFile(name + ".missing"); err == nil {
		t.Error("missing file: no error")
	}
}

func TestStrip(t *testing.T) {
	rules := []ignore.Rule{
		{Group: "apps", Kind: "Deployment", Name: "web", JSONPointers: []string{"/spec/replicas"}},
		{Group: "*", Kind: "*", Namespace: "team-*", JSONPointers: []string{"/spec/template/spec/containers/*/image", "/metadata/labels/a~1b"}},
		{Group: "", Kind: "Deployment", JSONPointers: []string{"/spec/paused"}}, // core group only: never matches apps
		{Group: "apps", Kind: "Deployment", JSONPointers: []string{"/spec/list/1", "/spec/list/9", "/spec/list/01"}},
	}
	tests := []struct {
		name   string
		obj    *unstructured.Unstructured
		in     string
		want   string
		noBase bool
	}{
		{
			name: "name and pointer",
			obj:  deployment("web", "shop"),
			in:   `{"spec":{"replicas":3,"paused":true}}`,
			want: `{"spec":{"paused":true}}`,
		},
		{
			name: "other name untouched",
			obj:  deployment("api", "shop"),
			in:   `{"spec":{"replicas":3}}`,
			want: `{"spec":{"replicas":3}}`,
		},
		{
			name: "wildcard and escaped key in a namespace glob",
			obj:  deployment("api", "team-a"),
			in:   `{"metadata":{"labels":{"a/b":"x","c":"y"}},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"2"}]}}}}`,
			want: `{"metadata":{"labels":{"c":"y"}},"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}}}`,
		},
		{
			name: "list index; out of range and leading zero ignored",
			obj:  deployment("api", "shop"),
			in:   `{"spec":{"list":["a","b","c"]}}`,
			want: `{"spec":{"list":["a","c"]}}`,
		},
		{
			name: "built-in tracking label",
			obj:  deployment("api", "shop"),
			in:   `{"metadata":{"labels":{"kustomize.toolkit.fluxcd.io/name":"apps","app":"api"}}}`,
			want: `{"metadata":{"labels":{"app":"api"}}}`,
		},
		{
			name:   "built-ins off",
			obj:    deployment("api", "shop"),
			in:     `{"metadata":{"labels":{"kustomize.toolkit.fluxcd.io/name":"apps"}}}`,
			want:   `{"metadata":{"labels":{"kustomize.toolkit.fluxcd.io/name":"apps"}}}`,
			noBase: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := ignore.Compile(rules, tt.noBase)
			if err != nil {
				t.Fatal(err)
			}
			content := decode(t, tt.in)
			set.Strip(tt.obj, content)
			if diff := cmp.Diff(decode(t, tt.want), content); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON([]byte(`{"apiVersion":"v1","kind":"X",` + strings.TrimPrefix(s, "{"))); err != nil {
		t.Fatal(err)
	}
	delete(u.Object, "apiVersion")
	delete(u.Object, "kind")
	return u.Object
}

func TestManagers(t *testing.T) {
	set, err := ignore.Compile([]ignore.Rule{
		{Group: "apps", Kind: "Deployment", ManagedFieldsManagers: []string{"vpa-updater", "ops-bot"}},
		{Group: "*", Kind: "*", ManagedFieldsManagers: []string{"ops-bot"}},
		{Kind: "ConfigMap", ManagedFieldsManagers: []string{"cm-bot"}},
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ops-bot", "vpa-updater"}, set.Managers(deployment("web", "shop"))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var none *ignore.Set
	if got := none.Managers(deployment("web", "shop")); got != nil {
		t.Errorf("nil set: %v", got)
	}
}

func TestBuiltinsCompile(t *testing.T) {
	bs := ignore.Builtins()
	if len(bs) == 0 {
		t.Fatal("no built-in rules")
	}
	rules := make([]ignore.Rule, 0, len(bs))
	for _, b := range bs {
		if b.ID == "" || b.Description == "" {
			t.Errorf("built-in %+v lacks an id or a description", b)
		}
		rules = append(rules, b.Rule)
	}
	if _, err := ignore.Compile(rules, true); err != nil {
		t.Fatal(err)
	}
	bs[0].JSONPointers[0] = "changed"
	if ignore.Builtins()[0].JSONPointers[0] == "changed" {
		t.Error("Builtins returns the table itself")
	}
}
