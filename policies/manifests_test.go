package policies

import (
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/google/go-cmp/cmp"
)

func TestReadManifests(t *testing.T) {
	dir := testkit.WriteFiles(t, t.TempDir(), map[string]string{
		"app/a.yaml": `# leading comment
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: one
---   # a separator with a comment
# comment before
apiVersion: v1
kind: ConfigMap
metadata:
  name: two
---
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: three}
  - kind: ConfigMap
    metadata: {name: no-version}
`,
		"app/b.json":    `{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "four"}}`,
		"app/notes.txt": "not a manifest",
		"bad.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: ok
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: [broken
---
kind: ConfigMap
metadata: {name: x}
---
just a string
`,
	})
	ms, problems, err := ReadManifests([]string{dir + "/app", dir + "/bad.yaml", "-"}, strings.NewReader("apiVersion: v1\nkind: Namespace\nmetadata: {name: five}\n"))
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Name string
		Src  string
	}
	var gotMs []got
	for _, m := range ms {
		gotMs = append(gotMs, got{m.Object.GetName(), strings.TrimPrefix(m.Source.String(), dir+"/")})
	}
	want := []got{
		{"one", "app/a.yaml:3"},
		{"two", "app/a.yaml:9"},
		{"three", "app/a.yaml:15"},
		{"four", "app/b.json:1"},
		{"ok", "bad.yaml:1"},
		{"five", "-:1"},
	}
	if diff := cmp.Diff(want, gotMs); diff != "" {
		t.Errorf("manifests (-want +got):\n%s", diff)
	}
	var gotProblems []string
	for _, p := range problems {
		gotProblems = append(gotProblems, strings.TrimPrefix(p.Source.String(), dir+"/")+" "+p.Message)
	}
	wantProblems := []string{
		"app/a.yaml:15 item 1: apiVersion and kind are required",
		"bad.yaml:6 not valid YAML",
		"bad.yaml:11 apiVersion and kind are required",
		"bad.yaml:14 not valid YAML",
	}
	if len(gotProblems) != len(wantProblems) {
		t.Fatalf("problems = %q, want %q", gotProblems, wantProblems)
	}
	for i := range wantProblems {
		if !strings.HasPrefix(gotProblems[i], wantProblems[i]) {
			t.Errorf("problem %d = %q, want prefix %q", i, gotProblems[i], wantProblems[i])
		}
	}
	if _, _, err := ReadManifests([]string{dir + "/missing.yaml"}, nil); err == nil {
		t.Error("reading a missing file succeeded")
	}
}

// TestSplitDocuments checks the line numbers of documents.
func TestSplitDocuments(t *testing.T) {
	docs := splitDocuments([]byte("a: 1\n---\n\n# c\nb: 2\n--- \n---\nc: 3\n...\n"))
	var got [][2]int
	for _, d := range docs {
		got = append(got, [2]int{d.start, d.line})
	}
	if diff := cmp.Diff([][2]int{{1, 1}, {3, 5}, {8, 8}}, got); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
}
