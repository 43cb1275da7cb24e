package restore

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/watcher/auditwebhook"
)

// TestPeopleAndHistory reads the people of a backup branch written with
// attribution: the latest line of each object wins, a later change by
// nobody known forgets an earlier person, and history shows the person
// (the author of a commit two people made is clusterscribe).
func TestPeopleAndHistory(t *testing.T) {
	dir := t.TempDir()
	c, err := committer.Open(t.Context(), committer.Options{Repo: dir, Branch: DefaultRef, Prefix: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 22, 3, 12, 0, 0, time.UTC)
	person := func(user string) *committer.Attribution {
		return &committer.Attribution{Manager: "kubectl-edit", Operation: "Update", Time: at, ChangedBy: &committer.Actor{
			User: user, Groups: []string{"devs", "system:authenticated"}, UserAgent: "kubectl/v1.36.3 (linux/amd64)",
		}}
	}
	const (
		web = "prod/namespaces/shop/apps/deployments/web.yaml"
		cm  = "prod/namespaces/shop/core/configmaps/settings.yaml"
	)
	for _, batch := range [][]committer.Change{
		{
			{Path: web, Data: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"), Object: "Deployment.apps shop/web", Attribution: person("alice")},
			{Path: cm, Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"), Object: "ConfigMap shop/settings", Attribution: person("bob")},
		},
		{{Path: web, Data: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec: {}\n"), Object: "Deployment.apps shop/web", Attribution: person("carol")}},
		{{Path: cm, Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {}\n"), Object: "ConfigMap shop/settings"}},
	} {
		if _, err := c.Commit(t.Context(), batch); err != nil {
			t.Fatal(err)
		}
	}
	people, err := ReadPeople(t.Context(), Source{Repo: dir})
	if err != nil {
		t.Fatal(err)
	}
	q := func(kind, group, resource, name string) auditwebhook.Query {
		return auditwebhook.Query{Kind: kind, Key: auditwebhook.Key{Group: group, Resource: resource, Namespace: "shop", Name: name}}
	}
	if got := people.ChangedBy(q("Deployment", "apps", "deployments", "web")); got.Name() != "carol" || len(got.Groups) != 2 {
		t.Errorf("web: %+v, want carol with her groups", got)
	}
	if got := people.ChangedBy(q("ConfigMap", "", "configmaps", "settings")); got != nil {
		t.Errorf("settings was last changed by nobody known, got %+v", got)
	}

	changes, err := History(t.Context(), HistoryConfig{Source: Source{Repo: dir}, Object: mustParseObject(t, "deployment.apps/shop/web")})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || changes[0].ChangedBy.Name() != "carol" || changes[1].ChangedBy.Name() != "alice" || changes[1].Author != "clusterscribe" {
		t.Fatalf("history: %+v", changes)
	}
	var out bytes.Buffer
	if err := WriteHistory(&out, changes, FormatTable); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "<carol@kubernetes.invalid>  changed by carol\n") {
		t.Errorf("history table:\n%s", out.String())
	}
}

func mustParseObject(t *testing.T, s string) ObjectQuery {
	t.Helper()
	q, err := ParseObject(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
