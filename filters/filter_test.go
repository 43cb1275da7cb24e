package filters

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/watcher"
)

func TestWantResource(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		r          watcher.Resource
		want       bool
		wantReason string
	}{
		{name: "default keeps deployments", r: rDeployment, want: true},
		{name: "default keeps CRDs", r: rWidget, want: true},
		{name: "default keeps secrets", r: rSecret, want: true},
		{name: "default drops events", r: rEvent, wantReason: "events"},
		{name: "include matches", opts: Options{IncludeKinds: []string{"deployment.apps"}}, r: rDeployment, want: true},
		{name: "include misses", opts: Options{IncludeKinds: []string{"deployment.apps"}}, r: rConfigMap, wantReason: ReasonKind},
		{name: "include group", opts: Options{IncludeKinds: []string{"*.cert-manager.io"}}, r: rCertificate, want: true},
		{name: "include group misses", opts: Options{IncludeKinds: []string{"*.cert-manager.io"}}, r: rWidget, wantReason: ReasonKind},
		{name: "exclude matches", opts: Options{ExcludeKinds: []string{"Secret"}}, r: rSecret, wantReason: ReasonKind},
		{name: "exclude misses", opts: Options{ExcludeKinds: []string{"Secret"}}, r: rConfigMap, want: true},
		{
			name: "exclude wins over include",
			opts: Options{IncludeKinds: []string{"*.apps"}, ExcludeKinds: []string{"ReplicaSet.apps"}},
			r:    rReplicaSet, wantReason: ReasonKind,
		},
		{
			name: "include does not lift a default exclusion",
			opts: Options{IncludeKinds: []string{"Node"}},
			r:    rNode, wantReason: "nodes",
		},
		{
			name: "include-excluded lifts it",
			opts: Options{IncludeKinds: []string{"Node"}, Include: []string{"nodes"}},
			r:    rNode, want: true,
		},
		{
			name: "object-level exclusions keep the kind watched",
			opts: Options{IncludeKinds: []string{"Secret"}},
			r:    rSecret, want: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustNew(t, tt.opts)
			if got := f.WantResource(tt.r); got != tt.want {
				t.Errorf("WantResource(%s) = %v, want %v", tt.r, got, tt.want)
			}
			ok, reason := f.Allow(tt.r, object(tt.r, "default", "x"))
			if diff := cmp.Diff([]any{tt.want, tt.wantReason}, []any{ok, reason}); diff != "" {
				t.Errorf("Allow(%s) (-want +got):\n%s", tt.r, diff)
			}
		})
	}
}

func TestAllowNamespaces(t *testing.T) {
	teams := Options{Namespaces: []string{"team-*", "default"}}
	notKube := Options{ExcludeNamespaces: []string{"kube-*"}}
	both := Options{Namespaces: []string{"team-*"}, ExcludeNamespaces: []string{"team-scratch*"}}
	tests := []struct {
		name       string
		opts       Options
		r          watcher.Resource
		ns, obj    string
		want       bool
		wantReason string
	}{
		{name: "no filter", r: rConfigMap, ns: "kube-system", obj: "c", want: true},
		{name: "glob match", opts: teams, r: rConfigMap, ns: "team-a", obj: "c", want: true},
		{name: "literal match", opts: teams, r: rConfigMap, ns: "default", obj: "c", want: true},
		{name: "no match", opts: teams, r: rConfigMap, ns: "kube-system", obj: "c", wantReason: ReasonNamespace},
		{name: "glob anchored", opts: teams, r: rConfigMap, ns: "my-team-a", obj: "c", wantReason: ReasonNamespace},
		{name: "namespace object by name", opts: teams, r: rNamespace, obj: "team-b", want: true},
		{name: "namespace object out of scope", opts: teams, r: rNamespace, obj: "kube-public", wantReason: ReasonNamespace},
		{name: "cluster-scoped object unaffected", opts: teams, r: rClusterRole, obj: "admin", want: true},
		{name: "exclude", opts: notKube, r: rDeployment, ns: "kube-system", obj: "coredns", wantReason: ReasonNamespace},
		{name: "exclude misses", opts: notKube, r: rDeployment, ns: "web", obj: "api", want: true},
		{name: "exclude namespace object", opts: notKube, r: rNamespace, obj: "kube-system", wantReason: ReasonNamespace},
		{name: "exclude leaves cluster scope", opts: notKube, r: rClusterRole, obj: "kube-admin", want: true},
		{name: "exclude wins", opts: both, r: rSecret, ns: "team-scratch-1", obj: "s", wantReason: ReasonNamespace},
		{name: "include with exclude", opts: both, r: rSecret, ns: "team-a", obj: "s", want: true},
		{name: "namespaced CRD", opts: teams, r: rCertificate, ns: "team-a", obj: "tls", want: true},
		{name: "namespaced CRD out of scope", opts: teams, r: rCertificate, ns: "ops", obj: "tls", wantReason: ReasonNamespace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustNew(t, tt.opts)
			ok, reason := f.Allow(tt.r, object(tt.r, tt.ns, tt.obj))
			if diff := cmp.Diff([]any{tt.want, tt.wantReason}, []any{ok, reason}); diff != "" {
				t.Errorf("Allow(%s %s/%s) (-want +got):\n%s", tt.r, tt.ns, tt.obj, diff)
			}
		})
	}
}

func TestAllowSelector(t *testing.T) {
	web := map[string]string{"app": "web", "tier": "front", "replicas": "3"}
	tests := []struct {
		selector string
		labels   map[string]string
		want     bool
	}{
		{"app=web", web, true},
		{"app==web", web, true},
		{"app=db", web, false},
		{"app!=db", web, true},
		{"app!=web", web, false},
		{"app in (web,api)", web, true},
		{"app notin (web,api)", web, false},
		{"tier", web, true},
		{"!tier", web, false},
		{"missing", web, false},
		{"!missing", web, true},
		{"replicas>2", web, true},
		{"replicas<2", web, false},
		{"app=web,tier=back", web, false},
		{"app=web,tier=front", web, true},
		{"app=web", nil, false},
		{"!app", nil, true},
		{"app!=web", nil, true},
		{"app=", map[string]string{"app": ""}, true},
	}
	for _, tt := range tests {
		t.Run(tt.selector, func(t *testing.T) {
			f := mustNew(t, Options{Selector: tt.selector})
			ok, reason := f.Allow(rConfigMap, object(rConfigMap, "default", "c", withLabels(tt.labels)))
			want := []any{tt.want, ""}
			if !tt.want {
				want[1] = ReasonSelector
			}
			if diff := cmp.Diff(want, []any{ok, reason}); diff != "" {
				t.Errorf("Allow with %q and labels %v (-want +got):\n%s", tt.selector, tt.labels, diff)
			}
		})
	}
}

func TestAllowOwned(t *testing.T) {
	ownedPod := object(rPod, "web", "api-7d9f-x2", withOwner("ReplicaSet", true))
	tests := []struct {
		name       string
		opts       Options
		r          watcher.Resource
		obj        *unstructured.Unstructured
		want       bool
		wantReason string
	}{
		{name: "controller-owned pod", r: rPod, obj: ownedPod, wantReason: ReasonOwned},
		{name: "controller-owned replicaset", r: rReplicaSet, obj: object(rReplicaSet, "web", "api-7d9f", withOwner("Deployment", true)), wantReason: ReasonOwned},
		{name: "controller-owned job", r: rJob, obj: object(rJob, "web", "backup-1", withOwner("CronJob", true)), wantReason: ReasonOwned},
		{name: "controller-owned custom resource", r: rCertificate, obj: object(rCertificate, "web", "tls", withOwner("Ingress", true)), wantReason: ReasonOwned},
		{name: "bare pod", r: rPod, obj: object(rPod, "web", "debug"), want: true},
		{name: "owner that is not a controller", r: rPod, obj: object(rPod, "web", "p", withOwner("ConfigMap", false)), want: true},
		{name: "second owner is the controller", r: rPod, obj: object(rPod, "web", "p", withOwner("ConfigMap", false), withOwner("ReplicaSet", true)), wantReason: ReasonOwned},
		{name: "IncludeOwned keeps it", opts: Options{IncludeOwned: true}, r: rPod, obj: ownedPod, want: true},
		{name: "include-excluded owned keeps it", opts: Options{Include: []string{"owned"}}, r: rPod, obj: ownedPod, want: true},
		{name: "include-excluded all keeps it", opts: Options{Include: []string{"all"}}, r: rPod, obj: ownedPod, want: true},
		{
			name: "decoded from JSON",
			r:    rPod,
			obj: fromJSON(t, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"web",
				"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"1","controller":true,"blockOwnerDeletion":true}]}}`),
			wantReason: ReasonOwned,
		},
		{
			name: "malformed ownerReferences are not a controller",
			r:    rPod,
			obj: fromJSON(t, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"web",
				"ownerReferences":[{"kind":"ReplicaSet","controller":"true"}, "junk"]}}`),
			want: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustNew(t, tt.opts)
			ok, reason := f.Allow(tt.r, tt.obj)
			if diff := cmp.Diff([]any{tt.want, tt.wantReason}, []any{ok, reason}); diff != "" {
				t.Errorf("Allow (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAllowReasonOrder(t *testing.T) {
	f := mustNew(t, Options{
		ExcludeKinds: []string{"Job"},
		Namespaces:   []string{"web"},
		Selector:     "app=web",
	})
	owned := withOwner("ReplicaSet", true)
	tests := []struct {
		name       string
		r          watcher.Resource
		obj        *unstructured.Unstructured
		want       bool
		wantReason string
	}{
		{name: "kind first", r: rJob, obj: object(rJob, "ops", "j", owned), wantReason: ReasonKind},
		{name: "default kind exclusion before namespace", r: rEvent, obj: object(rEvent, "ops", "e"), wantReason: "events"},
		{name: "namespace before selector", r: rPod, obj: object(rPod, "ops", "p", owned), wantReason: ReasonNamespace},
		{name: "selector before owned", r: rPod, obj: object(rPod, "web", "p", owned), wantReason: ReasonSelector},
		{name: "owned last", r: rPod, obj: object(rPod, "web", "p", owned, withLabels(map[string]string{"app": "web"})), wantReason: ReasonOwned},
		{name: "kept", r: rPod, obj: object(rPod, "web", "p", withLabels(map[string]string{"app": "web"})), want: true},
		{name: "nil object", r: rPod, wantReason: ReasonInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := f.Allow(tt.r, tt.obj)
			if diff := cmp.Diff([]any{tt.want, tt.wantReason}, []any{ok, reason}); diff != "" {
				t.Errorf("Allow (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListNamespaces(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{name: "none", want: nil},
		{name: "literal", opts: Options{Namespaces: []string{"web", "db"}}, want: []string{"web", "db"}},
		{name: "deduplicated", opts: Options{Namespaces: []string{"web", " web", "db"}}, want: []string{"web", "db"}},
		{name: "star", opts: Options{Namespaces: []string{"web", "team-*"}}, want: nil},
		{name: "question mark", opts: Options{Namespaces: []string{"web?"}}, want: nil},
		{name: "class", opts: Options{Namespaces: []string{"web-[ab]"}}, want: nil},
		{name: "escape", opts: Options{Namespaces: []string{`we\b`}}, want: nil},
		{name: "exclusions do not matter", opts: Options{Namespaces: []string{"web"}, ExcludeNamespaces: []string{"kube-*"}}, want: []string{"web"}},
		{name: "only exclusions", opts: Options{ExcludeNamespaces: []string{"kube-system"}}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustNew(t, tt.opts)
			got := f.ListNamespaces()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ListNamespaces() (-want +got):\n%s", diff)
			}
			if len(got) > 0 {
				got[0] = "changed"
				if again := f.ListNamespaces(); again[0] == "changed" {
					t.Errorf("ListNamespaces returns the filter's own slice")
				}
			}
		})
	}
}

func TestAllowDoesNotAllocate(t *testing.T) {
	f := mustNew(t, Options{
		IncludeKinds:      []string{"*.core", "*.apps", "Certificate.cert-manager.io"},
		ExcludeKinds:      []string{"Service"},
		Namespaces:        []string{"team-*", "web"},
		ExcludeNamespaces: []string{"team-scratch"},
		Selector:          "app,tier notin (cache),env in (prod,staging)",
	})
	prod := withLabels(map[string]string{"app": "api", "env": "prod"})
	tests := []struct {
		name string
		r    watcher.Resource
		obj  *unstructured.Unstructured
	}{
		{"kept", rDeployment, object(rDeployment, "web", "api", prod)},
		{"kind", rJob, object(rJob, "web", "j")},
		{"kind exclusion", rEvent, object(rEvent, "web", "e")},
		{"namespace", rConfigMap, object(rConfigMap, "ops", "c", prod)},
		{"namespace object", rNamespace, object(rNamespace, "", "team-a", prod)},
		{"selector", rConfigMap, object(rConfigMap, "web", "c")},
		{"owned", rPod, object(rPod, "team-a", "p", prod, withOwner("ReplicaSet", true))},
		{"object exclusion", rSecret, object(rSecret, "web", "t", prod, withType("kubernetes.io/service-account-token"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allocs := testing.AllocsPerRun(100, func() { f.Allow(tt.r, tt.obj) })
			if allocs != 0 {
				t.Errorf("Allow allocates %v times per call, want 0", allocs)
			}
		})
	}
}

func fromJSON(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return &unstructured.Unstructured{Object: m}
}
