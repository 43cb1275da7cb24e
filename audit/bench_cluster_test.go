package audit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/kubeapply"
	"github.com/clusterscribe/clusterscribe/policies"
)

// The seeded cluster of BenchmarkAudit10k: benchNamespaces namespaces, each
// with benchPerKind ConfigMaps, Secrets, Deployments and Services.
const (
	benchNamespaces = 100
	benchPerKind    = 25
	benchObjects    = benchNamespaces * benchPerKind * 4
	// benchDrifted namespaces drift: one Deployment's image set by hand, one
	// ConfigMap deleted, one created by hand.
	benchDrifted = 10
)

// benchNamespace names the i-th namespace of the seeded cluster.
func benchNamespace(i int) string { return fmt.Sprintf("bench-%03d", i) }

// benchManifests returns the declared objects of namespace i: the
// Namespace first, then its ConfigMaps, Secrets, Deployments and Services.
// Every other Deployment is hardened, the rest trip most bundled policies.
func benchManifests(i int) []*unstructured.Unstructured {
	ns := benchNamespace(i)
	out := []*unstructured.Unstructured{{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": ns, "labels": map[string]any{"team": "t" + fmt.Sprint(i%7)}},
	}}}
	meta := func(name string) map[string]any {
		return map[string]any{"name": name, "namespace": ns, "labels": map[string]any{"app": name, "team": "t" + fmt.Sprint(i%7)}}
	}
	for j := range benchPerKind {
		name := fmt.Sprintf("app-%02d", j)
		out = append(out,
			&unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("config-" + name),
				"data": map[string]any{
					"LOG_LEVEL": "info", "FEATURES": "checkout,search,recommendations",
					"app.yaml": fmt.Sprintf("server:\n  port: 8080\n  name: %s\ncache:\n  size: 128Mi\n", name),
				},
			}},
			&unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": meta("secret-" + name),
				"data": map[string]any{"username": "YXBw", "password": "c2VjcmV0LXBhc3N3b3Jk"},
			}},
			benchDeployment(meta(name), name, j%2 == 0),
			&unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "v1", "kind": "Service", "metadata": meta(name),
				"spec": map[string]any{
					// Headless: the test cluster's service range holds 256
					// addresses.
					"clusterIP": "None",
					"selector":  map[string]any{"app": name},
					"ports":     []any{map[string]any{"name": "http", "port": int64(80), "targetPort": int64(8080)}},
				},
			}},
		)
	}
	return out
}

func benchDeployment(meta map[string]any, name string, hardened bool) *unstructured.Unstructured {
	c := map[string]any{
		"name": "app", "image": "registry.example.com/" + name + ":1.0.0",
		"ports": []any{map[string]any{"containerPort": int64(8080)}},
		"env": []any{
			map[string]any{"name": "MODE", "value": "live"},
			map[string]any{"name": "PASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "secret-" + name, "key": "password"}}},
		},
	}
	pod := map[string]any{"containers": []any{c}}
	if hardened {
		c["env"] = []any{map[string]any{"name": "MODE", "value": "live"}}
		c["securityContext"] = map[string]any{
			"runAsNonRoot": true, "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
			"capabilities": map[string]any{"drop": []any{"ALL"}},
		}
		c["resources"] = map[string]any{
			"requests": map[string]any{"cpu": "100m", "memory": "64Mi"},
			"limits":   map[string]any{"memory": "128Mi"},
		}
		pod["serviceAccountName"] = "app"
		pod["automountServiceAccountToken"] = false
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
		"spec": map[string]any{
			"replicas": int64(2),
			"selector": map[string]any{"matchLabels": map[string]any{"app": name}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": name}},
				"spec":     pod,
			},
		},
	}}
}

// seedBenchCluster fills the test cluster once per process: server-side
// applies every manifest as "gitops" (a few at a time, without the
// client's default rate limits), then drifts benchDrifted namespaces.
var seedBenchCluster = sync.OnceValue(func() error {
	ctx := context.Background()
	cfg := rest.CopyConfig(cluster.Config)
	cfg.QPS, cfg.Burst = 5000, 5000
	a, err := kubeapply.New(cfg, "gitops")
	if err != nil {
		return err
	}
	var namespaces, objs []*unstructured.Unstructured
	for i := range benchNamespaces {
		m := benchManifests(i)
		namespaces = append(namespaces, m[0])
		objs = append(objs, m[1:]...)
	}
	for _, batch := range [][]*unstructured.Unstructured{namespaces, objs} {
		if err := applyParallel(ctx, a, batch, 8); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	return benchDrift(ctx, cs)
})

// applyParallel applies objs with workers in parallel, and stops at the
// first error.
func applyParallel(ctx context.Context, a *kubeapply.Applier, objs []*unstructured.Unstructured, workers int) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for _, o := range objs {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return a.Apply(gctx, o) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

func benchDrift(ctx context.Context, cs kubernetes.Interface) error {
	for i := range benchDrifted {
		ns := benchNamespace(i)
		image := `{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"registry.example.com/app-01:1.0.1-hotfix"}]}}}}`
		if _, err := cs.AppsV1().Deployments(ns).Patch(ctx, "app-01", types.StrategicMergePatchType, []byte(image), metav1.PatchOptions{FieldManager: "kubectl-set"}); err != nil {
			return fmt.Errorf("drift: %w", err)
		}
		if err := cs.CoreV1().ConfigMaps(ns).Delete(ctx, "config-app-02", metav1.DeleteOptions{}); err != nil {
			return fmt.Errorf("drift: %w", err)
		}
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "hotfix", Namespace: ns}, Data: map[string]string{"PATCH": "1"}}
		if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{FieldManager: "kubectl-create"}); err != nil {
			return fmt.Errorf("drift: %w", err)
		}
	}
	return nil
}

// writeBenchDeclared writes the declared repo of the seeded cluster: one
// file per namespace.
func writeBenchDeclared(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	for i := range benchNamespaces {
		var sb strings.Builder
		for j, o := range benchManifests(i) {
			data, err := yaml.Marshal(o.Object)
			if err != nil {
				b.Fatal(err)
			}
			if j > 0 {
				sb.WriteString("---\n")
			}
			sb.Write(data)
		}
		if err := os.WriteFile(filepath.Join(dir, benchNamespace(i)+".yaml"), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkAudit10k audits a cluster of 10,000 objects (ConfigMaps,
// Secrets, Deployments, Services in 100 namespaces) against their declared
// repo, with the bundled policies, as `clusterscribe audit --declared DIR
// --bundled-policies` does: live listing under the default rate limits,
// comparison, diffs and policies. The cluster is seeded once per process,
// only when benchmarks run.
func BenchmarkAudit10k(b *testing.B) {
	start := time.Now()
	if err := seedBenchCluster(); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d objects in %d namespaces (%s, once per process)", benchObjects, benchNamespaces, time.Since(start).Round(time.Millisecond))
	dir := writeBenchDeclared(b)
	engine, err := policies.Load(b.Context(), policies.Options{})
	if err != nil {
		b.Fatal(err)
	}
	cfg := audit.Config{Declared: declared.Options{Source: dir}, Policies: engine}
	b.ReportAllocs()
	var rep *findings.Report
	var peak uint64
	for b.Loop() {
		b.StopTimer()
		stop := sampleHeap(&peak)
		b.StartTimer()
		rep, err = audit.Run(b.Context(), cluster.Config, cfg)
		b.StopTimer()
		stop()
		b.StartTimer()
		if err != nil {
			b.Fatal(err)
		}
	}
	c := rep.Count()
	if c.Modified != benchDrifted || c.MissingLive != benchDrifted || c.Unmanaged != benchDrifted {
		b.Fatalf("want %d Modified, MissingLive and Unmanaged findings each, got %+v", benchDrifted, c)
	}
	b.ReportMetric(float64(len(rep.Findings)), "findings")
	b.ReportMetric(float64(peak), "peak-heap-B")
	b.ReportMetric(float64(peak)/benchObjects, "peak-heap-B/object")
}

// sampleHeap records in peak the largest growth of the heap (live and
// not yet swept objects) over what is live when it is called, sampled
// every 5 ms until stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	base := read()
	record := func() {
		if v := read(); v > base {
			*peak = max(*peak, v-base)
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				record()
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		record()
	}
}
