package restore

import (
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// historyRepo writes a backup branch with the history below and returns
// the repository and its commits, oldest first.
func historyRepo(t *testing.T) (string, []plumbing.Hash) {
	t.Helper()
	dir := t.TempDir()
	c, err := committer.Open(t.Context(), committer.Options{Repo: dir, Branch: DefaultRef, Prefix: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	const (
		deploy = "prod/namespaces/shop/apps/deployments/web.yaml"
		cm     = "prod/namespaces/shop/core/configmaps/settings.yaml"
	)
	at := func(s string) *committer.Attribution {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &committer.Attribution{Manager: "kubectl", Operation: "Update", Time: tm}
	}
	batches := [][]committer.Change{
		{
			{Path: deploy, Data: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"), Object: "Deployment.apps shop/web", Attribution: at("2026-01-01T10:00:00Z")},
			{Path: "prod/cluster/rbac.authorization.k8s.io/clusterroles/view.yaml", Data: []byte("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: view\n"), Object: "ClusterRole.rbac.authorization.k8s.io view"},
			{Path: "prod/namespaces/shop/a.example.com/widgets/web.yaml", Data: []byte("apiVersion: a.example.com/v1\nkind: Widget\nmetadata:\n  name: web\n"), Object: "Widget.a.example.com shop/web"},
			{Path: "prod/namespaces/shop/b.example.com/widgets/web.yaml", Data: []byte("apiVersion: b.example.com/v1\nkind: Widget\nmetadata:\n  name: web\n"), Object: "Widget.b.example.com shop/web"},
			{Path: cm, Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"1\"\n"), Object: "ConfigMap shop/settings"},
			widgetCRD("a.example.com", "wd", "aw"),
			widgetCRD("b.example.com", "wd"),
		},
		{
			{Path: deploy, Data: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n"), Object: "Deployment.apps shop/web", Attribution: at("2026-01-02T10:00:00Z")},
			{Path: cm, Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"2\"\n"), Object: "ConfigMap shop/settings"},
		},
		{{Path: deploy, Object: "deployments.apps shop/web"}},
		{{Path: deploy, Data: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"), Object: "Deployment.apps shop/web", Attribution: at("2026-01-04T10:00:00Z")}},
		{{Path: cm, Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"3\"\n"), Object: "ConfigMap shop/settings"}},
	}
	var commits []plumbing.Hash
	for _, b := range batches {
		h, err := c.Commit(t.Context(), b)
		if err != nil {
			t.Fatal(err)
		}
		commits = append(commits, plumbing.Hash(h))
	}
	return dir, commits
}

// widgetCRD is the file of a Widget CRD in group with these short names.
func widgetCRD(group string, shortNames ...string) committer.Change {
	name := "widgets." + group
	data := "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: " + name +
		"\nspec:\n  group: " + group + "\n  names:\n    kind: Widget\n    plural: widgets\n    singular: widget\n" +
		"    shortNames: [" + strings.Join(shortNames, ", ") + "]\n  scope: Namespaced\n"
	return committer.Change{
		Path:   "prod/cluster/apiextensions.k8s.io/customresourcedefinitions/" + name + ".yaml",
		Data:   []byte(data),
		Object: "CustomResourceDefinition.apiextensions.k8s.io " + name,
	}
}

func TestHistory(t *testing.T) {
	repo, commits := historyRepo(t)
	const deploy = "prod/namespaces/shop/apps/deployments/web.yaml"
	type entry struct {
		Commit int // index in commits
		Change string
		Path   string
		Lines  []string
	}
	deployHistory := []entry{
		{3, "added", deploy, []string{"added   Deployment.apps shop/web (kubectl Update 2026-01-04T10:00:00Z)"}},
		{2, "removed", deploy, []string{"removed deployments.apps shop/web"}},
		{1, "changed", deploy, []string{"changed Deployment.apps shop/web (kubectl Update 2026-01-02T10:00:00Z)"}},
		{0, "added", deploy, []string{"added   Deployment.apps shop/web (kubectl Update 2026-01-01T10:00:00Z)"}},
	}
	tests := []struct {
		name     string
		object   string
		ref      string
		max      int
		want     []entry
		wantErr  error
		wantPath string
	}{
		{name: "kind", object: "deployment/shop/web", want: deployHistory},
		{name: "kind.group", object: "Deployment.apps/shop/web", want: deployHistory},
		{name: "plural resource", object: "deployments/shop/web", want: deployHistory},
		{name: "max count", object: "deployment/shop/web", max: 2, want: deployHistory[:2]},
		{name: "older ref", object: "deployment/shop/web", ref: "OLDER", want: deployHistory[2:]},
		{
			name: "cluster-scoped", object: "clusterrole/view",
			want: []entry{{0, "added", "prod/cluster/rbac.authorization.k8s.io/clusterroles/view.yaml", []string{"added   ClusterRole.rbac.authorization.k8s.io view"}}},
		},
		{
			name: "group tells same-named kinds apart", object: "widget.a.example.com/shop/web",
			want: []entry{{0, "added", "prod/namespaces/shop/a.example.com/widgets/web.yaml", []string{"added   Widget.a.example.com shop/web"}}},
		},
		{name: "same kind in two groups", object: "widget/shop/web", wantErr: ErrAmbiguousObject},
		{name: "wrong group", object: "deployment.core/shop/web", wantErr: ErrObjectNotFound},
		{name: "other kind of the same name", object: "configmap/shop/web", wantErr: ErrObjectNotFound},
		{name: "other namespace", object: "deployment/billing/web", wantErr: ErrObjectNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ParseObject(tt.object)
			if err != nil {
				t.Fatal(err)
			}
			ref := tt.ref
			if ref == "OLDER" {
				ref = commits[1].String()
			}
			changes, err := History(t.Context(), HistoryConfig{Source: Source{Repo: repo, Ref: ref}, Object: q, MaxCount: tt.max})
			if tt.wantErr != nil {
				mustFail(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []entry
			for _, c := range changes {
				idx := -1
				for i, h := range commits {
					if h.String() == c.Commit {
						idx = i
					}
				}
				if c.Author != "clusterscribe" || c.Time.IsZero() {
					t.Errorf("commit %s: author %q, time %v", c.Commit, c.Author, c.Time)
				}
				got = append(got, entry{idx, c.Change, c.Path, c.Lines})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHistoryKubectlRefs names objects as kubectl does: TYPE/NAME in a
// namespace, which does not count for cluster-scoped kinds.
func TestHistoryKubectlRefs(t *testing.T) {
	repo, _ := historyRepo(t)
	tests := []struct {
		ref, namespace string
		wantPath       string
		wantErr        error
	}{
		{ref: "deploy/web", namespace: "shop", wantPath: "prod/namespaces/shop/apps/deployments/web.yaml"},
		{ref: "deployments.apps/web", namespace: "shop", wantPath: "prod/namespaces/shop/apps/deployments/web.yaml"},
		{ref: "deployments.v1.apps/web", namespace: "shop", wantPath: "prod/namespaces/shop/apps/deployments/web.yaml"},
		{ref: "Deployment/web", namespace: "shop", wantPath: "prod/namespaces/shop/apps/deployments/web.yaml"},
		{ref: "clusterrole/view", namespace: "shop", wantPath: "prod/cluster/rbac.authorization.k8s.io/clusterroles/view.yaml"},
		{ref: "clusterroles.rbac.authorization.k8s.io/view", namespace: "default", wantPath: "prod/cluster/rbac.authorization.k8s.io/clusterroles/view.yaml"},
		{ref: "aw/web", namespace: "shop", wantPath: "prod/namespaces/shop/a.example.com/widgets/web.yaml"},
		{ref: "wd.b.example.com/web", namespace: "shop", wantPath: "prod/namespaces/shop/b.example.com/widgets/web.yaml"},
		{ref: "wd/web", namespace: "shop", wantErr: ErrInvalidConfig}, // two CRDs declare it
		{ref: "deploy/web", namespace: "billing", wantErr: ErrObjectNotFound},
		{ref: "sts/web", namespace: "shop", wantErr: ErrObjectNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.ref+" -n "+tt.namespace, func(t *testing.T) {
			q, err := ParseRef(tt.ref, tt.namespace)
			if err != nil {
				t.Fatal(err)
			}
			changes, err := History(t.Context(), HistoryConfig{Source: Source{Repo: repo}, Object: q})
			if tt.wantErr != nil {
				mustFail(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) == 0 || changes[0].Path != tt.wantPath {
				t.Errorf("changes %+v, want the history of %s", changes, tt.wantPath)
			}
		})
	}
}

func TestParseObject(t *testing.T) {
	tests := []struct {
		in      string
		want    ObjectQuery
		wantErr bool
	}{
		{in: "deployment/shop/web", want: ObjectQuery{Kind: "deployment", Namespace: "shop", Name: "web"}},
		{in: "Deployment.apps/shop/web", want: ObjectQuery{Kind: "Deployment", Group: "apps", GroupSet: true, Namespace: "shop", Name: "web"}},
		{in: "secret.core/shop/db", want: ObjectQuery{Kind: "secret", GroupSet: true, Namespace: "shop", Name: "db"}},
		{in: "widget.example.com/shop/blue", want: ObjectQuery{Kind: "widget", Group: "example.com", GroupSet: true, Namespace: "shop", Name: "blue"}},
		{in: "clusterrole/view", want: ObjectQuery{Kind: "clusterrole", Name: "view"}},
		{in: "deploy/shop/web", want: ObjectQuery{Kind: "deployments", Group: "apps", GroupSet: true, Namespace: "shop", Name: "web"}},
		{in: "cm/shop/web", want: ObjectQuery{Kind: "configmaps", GroupSet: true, Namespace: "shop", Name: "web"}},
		{in: "deployments.v1.apps/shop/web", want: ObjectQuery{Kind: "deployments", Group: "apps", GroupSet: true, Namespace: "shop", Name: "web"}},
		{in: "configmaps.v1/shop/web", want: ObjectQuery{Kind: "configmaps", GroupSet: true, Namespace: "shop", Name: "web"}},
		{in: "widgets.v2beta1.example.com/shop/blue", want: ObjectQuery{Kind: "widgets", Group: "example.com", GroupSet: true, Namespace: "shop", Name: "blue"}},
		{in: "web", wantErr: true},
		{in: "a/b/c/d", wantErr: true},
		{in: "deployment//web", wantErr: true},
		{in: "deployment./shop/web", wantErr: true},
		{in: "/shop/web", wantErr: true},
		{in: "deployment/shop/", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseObject(tt.in)
			if tt.wantErr {
				mustFail(t, err, ErrInvalidConfig)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if round, err := ParseObject(got.String()); err != nil || round != got {
				t.Errorf("String() = %q does not parse back: %v, %v", got.String(), round, err)
			}
		})
	}
}

// A name too long for one file name is stored split into directories; its
// history is found all the same.
func TestHistoryOfALongName(t *testing.T) {
	dir := t.TempDir()
	c, err := committer.Open(t.Context(), committer.Options{Repo: dir, Branch: DefaultRef, Prefix: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("a", 250) + ".example"
	p := serializer.ObjectPath(serializer.ObjectRef{Cluster: "prod", Resource: "configmaps", Namespace: "shop", Name: name})
	if !strings.Contains(strings.TrimPrefix(p, "prod/namespaces/shop/core/configmaps/"), "/") {
		t.Fatalf("path %s: a %d-byte name should be split", p, len(name))
	}
	h, err := c.Commit(t.Context(), []committer.Change{{Path: p, Data: []byte("kind: ConfigMap\n"), Object: "ConfigMap shop/" + name}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := ParseObject("configmap/shop/" + name)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := History(t.Context(), HistoryConfig{Source: Source{Repo: dir}, Object: q})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Commit != h.String() || changes[0].Path != p {
		t.Fatalf("history = %+v, want the one commit %s of %s", changes, h, p)
	}
}
