package policies

import (
	"fmt"
	"testing"

	"github.com/open-policy-agent/opa/v1/storage"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// benchObjects returns n objects shaped like a real cluster's: workloads of
// every kind (half hardened, half not), Services, Ingresses, RBAC,
// ConfigMaps and Secrets, spread over namespaces of 50 objects each.
func benchObjects(n int) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, n)
	for i := 0; len(out) < n; i++ {
		ns := fmt.Sprintf("team-%d", i/50)
		name := fmt.Sprintf("obj-%d", i)
		meta := map[string]any{"name": name, "namespace": ns, "labels": map[string]any{"app": name, "team": "t"}}
		var obj map[string]any
		switch i % 12 {
		case 0:
			obj = map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns, "labels": map[string]any{"team": "t"}}}
		case 1, 2:
			obj = workload("apps/v1", "Deployment", meta, i%2 == 0)
		case 3:
			obj = workload("apps/v1", "StatefulSet", meta, true)
		case 4:
			obj = workload("batch/v1", "CronJob", meta, false)
		case 5:
			typ := "ClusterIP"
			if i%24 == 5 {
				typ = "LoadBalancer"
			}
			obj = map[string]any{"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": map[string]any{"type": typ, "ports": []any{map[string]any{"port": int64(80)}}}}
		case 6:
			obj = map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": map[string]any{"config.yaml": "a: 1\nb: 2\n"}}
		case 7:
			obj = map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "Opaque", "data": map[string]any{"password": "c2VjcmV0"}}
		case 8:
			obj = map[string]any{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta, "spec": map[string]any{
				"rules": []any{map[string]any{"host": name + ".example.com"}},
			}}
		case 9:
			obj = map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta, "rules": []any{
				map[string]any{"apiGroups": []any{""}, "resources": []any{"configmaps"}, "verbs": []any{"get", "list"}},
				map[string]any{"apiGroups": []any{"apps"}, "resources": []any{"*"}, "verbs": []any{"*"}},
			}}
		case 10:
			obj = map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": "default", "namespace": ns}}
			if i%24 == 10 {
				obj["metadata"] = meta
			}
		case 11:
			obj = map[string]any{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta, "spec": map[string]any{"podSelector": map[string]any{}}}
		}
		out = append(out, &unstructured.Unstructured{Object: obj})
	}
	return out
}

func workload(apiVersion, kind string, meta map[string]any, hardened bool) map[string]any {
	c := map[string]any{"name": "app", "image": "nginx:latest", "env": []any{
		map[string]any{"name": "PASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "db", "key": "password"}}},
	}}
	if hardened {
		c = map[string]any{
			"name":  "app",
			"image": "ghcr.io/acme/app:1.2.3",
			"securityContext": map[string]any{
				"runAsNonRoot": true, "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
				"capabilities": map[string]any{"drop": []any{"ALL"}},
			},
			"resources": map[string]any{
				"requests": map[string]any{"cpu": "100m", "memory": "64Mi"},
				"limits":   map[string]any{"memory": "128Mi"},
			},
		}
	}
	pod := map[string]any{"serviceAccountName": "app", "containers": []any{c}}
	if !hardened {
		pod = map[string]any{"hostNetwork": true, "containers": []any{c, map[string]any{
			"name": "sidecar", "image": "envoyproxy/envoy", "securityContext": map[string]any{"privileged": true, "capabilities": map[string]any{"add": []any{"NET_ADMIN"}}},
		}}, "volumes": []any{map[string]any{"name": "host", "hostPath": map[string]any{"path": "/var/run"}}}}
	}
	spec := map[string]any{"template": map[string]any{"metadata": map[string]any{"labels": meta["labels"]}, "spec": pod}}
	if kind == "CronJob" {
		spec = map[string]any{"schedule": "@hourly", "jobTemplate": map[string]any{"spec": spec}}
	}
	return map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta, "spec": spec}
}

// BenchmarkEvaluate10k evaluates every bundled policy (both parameterized
// ones switched on) on 10,000 objects.
func BenchmarkEvaluate10k(b *testing.B) {
	objs := benchObjects(10_000)
	e, err := Load(b.Context(), Options{Params: Params{
		AllowedRegistries: []string{"ghcr.io/acme"},
		RequiredLabels:    []LabelRequirement{{Key: "team"}, {Key: "app"}},
	}})
	if err != nil {
		b.Fatal(err)
	}
	if n := len(e.Policies()); n != len(issuePolicies) {
		b.Fatalf("%d policies loaded, want all %d", n, len(issuePolicies))
	}
	b.ReportAllocs()
	var found int
	for b.Loop() {
		fs, _, _, err := e.Evaluate(b.Context(), objs, true)
		if err != nil {
			b.Fatal(err)
		}
		found = len(fs)
	}
	b.ReportMetric(float64(found), "findings")
}

// BenchmarkEvaluateObject evaluates every bundled policy on one object of
// each kind, with the inventory of 1,200 objects in place.
func BenchmarkEvaluateObject(b *testing.B) {
	e := loadBenchEngine(b)
	objs := benchObjects(1200)
	in := make([]*object, len(objs))
	for i, u := range objs {
		o, err := newObject(u, nil)
		if err != nil {
			b.Fatal(err)
		}
		in[i] = o
	}
	inv, err := buildInventory(in, e.needs)
	if err != nil {
		b.Fatal(err)
	}
	if err := storage.WriteOne(b.Context(), e.store, storage.ReplaceOp, storage.MustParsePath("/inventory"), inv.value()); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		index int
	}{
		{"Namespace", 12},
		{"Deployment", 13},
		{"DeploymentHardened", 14},
		{"CronJob", 16},
		{"Service", 17},
		{"ConfigMap", 18},
		{"Secret", 19},
		{"Role", 21},
		{"ServiceAccount", 22},
	} {
		b.Run(c.name, func(b *testing.B) {
			o := in[c.index]
			if o.ref.Kind != c.name && c.name != "DeploymentHardened" {
				b.Fatalf("object %d is a %s", c.index, o.ref.Kind)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.evaluateObject(b.Context(), o, inv); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func loadBenchEngine(b *testing.B) *Engine {
	b.Helper()
	e, err := Load(b.Context(), Options{Params: Params{
		AllowedRegistries: []string{"ghcr.io/acme"},
		RequiredLabels:    []LabelRequirement{{Key: "team"}, {Key: "app"}},
	}})
	if err != nil {
		b.Fatal(err)
	}
	return e
}
