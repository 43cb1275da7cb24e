package corpus_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/gomodule"
	"github.com/clusterscribe/clusterscribe/internal/kubeapply"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

// The corpus installs admission webhooks that would reject other tests'
// requests: it has a control plane of its own.
var cluster *testcluster.Cluster

func TestMain(m *testing.M) { testcluster.Main(m, &cluster) }

// applyDeclared server-side applies what the declared repo dir holds, as
// audit reads it (kustomizations built), and returns how many objects.
func applyDeclared(t *testing.T, dir string) int {
	t.Helper()
	set, err := declared.Load(t.Context(), declared.Options{Source: dir})
	if err != nil {
		t.Fatal(err)
	}
	a, err := kubeapply.New(cluster.Config, "gitops")
	if err != nil {
		t.Fatal(err)
	}
	objs := make([]*unstructured.Unstructured, 0, len(set.Objects))
	for _, o := range set.Objects {
		objs = append(objs, o.Object)
	}
	if err := a.ApplyAll(t.Context(), objs); err != nil {
		t.Fatal(err)
	}
	return len(objs)
}

// corpusProject is a widely used project's stock install manifests, read
// from its module zip at a pinned version.
type corpusProject struct {
	module, version, path string
}

var corpus = []corpusProject{
	{"github.com/open-policy-agent/gatekeeper/v3", "v3.17.0", "deploy/gatekeeper.yaml"},
	{"k8s.io/kube-state-metrics/v2", "v2.20.0", "examples/standard"},
	{"github.com/prometheus-operator/prometheus-operator", "v0.80.1", "bundle.yaml"},
}

// moduleDir downloads a module through the Go module proxy and returns
// its directory.
func moduleDir(t *testing.T, module, version string) string {
	t.Helper()
	dir, err := gomodule.Dir(t.Context(), module, version)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCorpusInstallsAuditClean applies each project's install manifests
// server-side, one after the other, and audits what is installed so far
// (a declared repo holding each project in its own directory): no
// finding, offline and server-side, and the same coverage.
func TestCorpusInstallsAuditClean(t *testing.T) {
	root := t.TempDir()
	for i, p := range corpus {
		t.Run(p.module, func(t *testing.T) {
			src := filepath.Join(moduleDir(t, p.module, p.version), p.path)
			dir := filepath.Join(root, fmt.Sprint(i))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(src); err == nil && fi.IsDir() {
				if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
					t.Fatal(err)
				}
			} else {
				data, err := os.ReadFile(src)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, filepath.Base(src)), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			n := applyDeclared(t, dir)
			var sums []findings.Summary
			for _, serverSide := range []bool{false, true} {
				rep, err := audit.Run(t.Context(), cluster.Config, audit.Config{Declared: declared.Options{Source: root}, ServerSide: serverSide})
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range rep.Findings {
					t.Errorf("server-side %v: %s %s %v: %s", serverSide, f.Type, f.Object, f.Paths, f.Message)
				}
				for _, pr := range rep.Problems {
					t.Errorf("server-side %v: problem %s: %s", serverSide, pr.Source, pr.Message)
				}
				sums = append(sums, *rep.Summary)
			}
			if diff := cmp.Diff(sums[0], sums[1], cmp.AllowUnexported(findings.Summary{})); diff != "" {
				t.Errorf("offline and server-side coverage differ (-offline +server-side):\n%s", diff)
			}
			if s := sums[0]; s.Declared < n || s.InSync != s.Declared {
				t.Errorf("want every declared object in sync: %d declared, %d in sync, %d skipped", s.Declared, s.InSync, s.Skipped)
			}
		})
	}
}
