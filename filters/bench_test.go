package filters

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/watcher"
)

// BenchmarkAllow measures the per-object decision the watcher makes on every
// upsert, over a mix of kept and dropped objects.
func BenchmarkAllow(b *testing.B) {
	f := mustNew(b, Options{
		ExcludeKinds:      []string{"Service"},
		Namespaces:        []string{"team-*", "web"},
		ExcludeNamespaces: []string{"team-scratch"},
		Selector:          "app,tier notin (cache)",
	})
	app := withLabels(map[string]string{"app": "api", "tier": "front", "pod-template-hash": "7d9f"})
	objs := []struct {
		r   watcher.Resource
		obj *unstructured.Unstructured
	}{
		{rDeployment, object(rDeployment, "web", "api", app)},
		{rReplicaSet, object(rReplicaSet, "web", "api-7d9f", app, withOwner("Deployment", true))},
		{rPod, object(rPod, "web", "api-7d9f-x2", app, withOwner("ReplicaSet", true))},
		{rConfigMap, object(rConfigMap, "team-a", "settings", app)},
		{rConfigMap, object(rConfigMap, "team-a", "kube-root-ca.crt", app)},
		{rSecret, object(rSecret, "team-b", "db", app, withType("Opaque"))},
		{rSecret, object(rSecret, "team-b", "sh.helm.release.v1.db.v2", app, withType("helm.sh/release.v1"))},
		{rCertificate, object(rCertificate, "ops", "tls", app)},
		{rEvent, object(rEvent, "web", "api.17a3")},
		{rNamespace, object(rNamespace, "", "team-a", app)},
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		o := objs[i%len(objs)]
		f.Allow(o.r, o.obj)
		i++
	}
}
