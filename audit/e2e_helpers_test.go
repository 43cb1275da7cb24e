package audit_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/kubeapply"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

var cluster *testcluster.Cluster

func TestMain(m *testing.M) { testcluster.Main(m, &cluster) }

// declaredDir copies the files of testdata/<fixture> into a fresh
// directory, with NAMESPACE replaced by ns.
func declaredDir(t *testing.T, fixture, ns string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("testdata", fixture)
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, []byte(strings.ReplaceAll(string(data), "NAMESPACE", ns)), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// applyDir server-side applies every manifest below dir as the GitOps
// tool would, with field manager "gitops".
func applyDir(t *testing.T, dir string) {
	t.Helper()
	manifests, err := kubeapply.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	objs := make([]*unstructured.Unstructured, 0, len(manifests))
	for _, m := range manifests {
		objs = append(objs, m.Object)
	}
	applyObjects(t, objs)
}

func applyObjects(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	cluster.Apply(t, "gitops", objs...)
}

// applyDeclared loads the declared objects opts name and applies them as
// applyObjects does.
func applyDeclared(t *testing.T, opts declared.Options) {
	t.Helper()
	set, err := declared.Load(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	objs := make([]*unstructured.Unstructured, 0, len(set.Objects))
	for _, o := range set.Objects {
		objs = append(objs, o.Object)
	}
	applyObjects(t, objs)
}

// summary is what the end-to-end tests assert of a finding: everything
// but the diff text and attribution times.
type summary struct {
	Type     findings.Type
	Object   string
	Source   string
	Paths    []string
	Managers []string
}

func summarize(fs []findings.Finding) []summary {
	out := make([]summary, 0, len(fs))
	for _, f := range fs {
		s := summary{Type: f.Type, Object: f.Object.String(), Paths: f.Paths}
		if f.Source != nil {
			s.Source = f.Source.String()
		}
		for _, a := range f.Attribution {
			s.Managers = append(s.Managers, a.Manager+" "+a.Operation)
		}
		out = append(out, s)
	}
	return out
}
