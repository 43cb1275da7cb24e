package audit_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// BenchmarkCompareModified compares one drifted Deployment (four fields
// added by three managers) with its declaration: classification, diff and
// attribution of one Modified finding.
func BenchmarkCompareModified(b *testing.B) {
	dir := filepath.Join("testdata", "compare", "additive-changes")
	decl := loadDeclared(b, filepath.Join(dir, "declared"))
	live := loadLive(b, filepath.Join(dir, "live.yaml"))
	b.ReportAllocs()
	for b.Loop() {
		got, _, err := audit.Compare(b.Context(), decl, live, audit.CompareOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != 1 || got[0].Type != findings.Modified || got[0].Diff == "" {
			b.Fatalf("want one Modified finding with a diff, got %+v", got)
		}
	}
}

// BenchmarkCompare10kUnchanged compares 10,000 objects (Deployments and
// Services applied with server-side apply, holding the server's defaults)
// that match their declarations.
func BenchmarkCompare10kUnchanged(b *testing.B) {
	dir := filepath.Join("testdata", "compare", "server-defaults")
	decl0 := loadDeclared(b, filepath.Join(dir, "declared"))
	live0 := loadLive(b, filepath.Join(dir, "live.yaml"))
	const n = 10_000
	decl := make([]audit.Object, 0, n)
	live := make([]*unstructured.Unstructured, 0, n)
	for i := 0; len(decl) < n; i++ {
		ns, name := fmt.Sprintf("team-%d", i/50), fmt.Sprintf("web-%d", i)
		for j := range decl0 {
			d := audit.Object{Object: decl0[j].Object.DeepCopy(), Source: decl0[j].Source}
			l := live0[j].DeepCopy()
			for _, o := range []*unstructured.Unstructured{d.Object, l} {
				o.SetNamespace(ns)
				o.SetName(name)
			}
			decl = append(decl, d)
			live = append(live, l)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		got, problems, err := audit.Compare(b.Context(), decl, live, audit.CompareOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != 0 || len(problems) != 0 {
			b.Fatalf("want no findings, got %d (first %+v) and %d problems", len(got), got[0], len(problems))
		}
	}
}
