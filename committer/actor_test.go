package committer

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestCommitNamesThePerson checks the object lines, the Changed-By
// trailers and the author: the person when one made every change of the
// batch, clusterscribe otherwise; the committer is always clusterscribe.
func TestCommitNamesThePerson(t *testing.T) {
	c, dir := newCommitter(t, "prod")
	at := time.Date(2026, 11, 22, 3, 12, 0, 0, time.UTC)
	alice := &Actor{User: "alice", Groups: []string{"devs", "system:authenticated"}, UserAgent: "kubectl/v1.36.3 (linux/amd64) kubernetes/abc", Verb: "patch", Time: at}
	bob := &Actor{User: "bob@example.com", As: "system:serviceaccount:shop:deployer", UserAgent: "kubectl/v1.36.3", Verb: "update", Time: at}

	mustCommit(t, c,
		Change{
			Path: "prod/namespaces/shop/apps/deployments/web.yaml", Data: []byte("web\n"), Object: "Deployment.apps shop/web",
			Attribution: &Attribution{Manager: "kubectl-edit", Operation: "Update", Time: at, ChangedBy: alice},
		},
		Change{
			Path: "prod/namespaces/shop/core/configmaps/cm.yaml", Data: []byte("cm\n"), Object: "ConfigMap shop/cm",
			Attribution: &Attribution{ChangedBy: alice},
		},
	)
	want := "prod: 2 added, 0 changed, 0 removed\n\n" +
		"added   ConfigMap shop/cm (by alice via kubectl/v1.36.3)\n" +
		"added   Deployment.apps shop/web (kubectl-edit Update 2026-11-22T03:12:00Z, by alice via kubectl/v1.36.3)\n" +
		"\nChanged-By: alice (groups devs, system:authenticated) via kubectl/v1.36.3"
	if diff := cmp.Diff(want, runGit(t, dir, "log", "-1", "--format=%B", "backup")); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	if got := runGit(t, dir, "log", "-1", "--format=%an <%ae> / %cn <%ce>", "backup"); got != "alice <alice@kubernetes.invalid> / clusterscribe <clusterscribe@localhost>" {
		t.Errorf("author / committer: %q", got)
	}
	if got := runGit(t, dir, "log", "-1", "--format=%(trailers:key=Changed-By,valueonly)", "backup"); !strings.HasPrefix(got, "alice (groups") {
		t.Errorf("git reads the trailer as %q", got)
	}

	mustCommit(t, c,
		Change{
			Path: "prod/namespaces/shop/apps/deployments/web.yaml", Data: []byte("web2\n"), Object: "Deployment.apps shop/web",
			Attribution: &Attribution{ChangedBy: bob},
		},
		Change{
			Path: "prod/namespaces/shop/core/configmaps/cm.yaml", Object: "ConfigMap shop/cm",
			Attribution: &Attribution{ChangedBy: alice},
		},
	)
	msg := runGit(t, dir, "log", "-1", "--format=%B", "backup")
	for _, l := range []string{
		"changed Deployment.apps shop/web (by bob@example.com as system:serviceaccount:shop:deployer via kubectl/v1.36.3)",
		"removed ConfigMap shop/cm (by alice via kubectl/v1.36.3)",
		"Changed-By: alice (groups devs, system:authenticated) via kubectl/v1.36.3\nChanged-By: bob@example.com as system:serviceaccount:shop:deployer via kubectl/v1.36.3",
	} {
		if !strings.Contains(msg, l) {
			t.Errorf("message lacks %q:\n%s", l, msg)
		}
	}
	if got := runGit(t, dir, "log", "-1", "--format=%an", "backup"); got != "clusterscribe" {
		t.Errorf("two people: author %q, want clusterscribe", got)
	}
	if got := ChangedBy(msg); len(got) != 2 || got[1].Name() != "bob@example.com as system:serviceaccount:shop:deployer" || got[0].Groups[1] != "system:authenticated" {
		t.Errorf("ChangedBy read back %+v", got)
	}
}

func TestParseObjectLine(t *testing.T) {
	tests := []struct {
		line, change, label, by string
		ok                      bool
	}{
		{"changed Deployment.apps shop/web (kubectl-edit Update 2026-11-22T03:12:00Z, by alice via kubectl/v1.36.3)", "changed", "Deployment.apps shop/web", "alice via kubectl/v1.36.3", true},
		{"added   ConfigMap shop/cm (by alice as bob)", "added", "ConfigMap shop/cm", "alice as bob", true},
		{"removed ConfigMap shop/cm (helm Update 2026-11-22T03:12:00Z)", "removed", "ConfigMap shop/cm", "", true},
		{"added   prod/namespaces/shop/core/secrets/db.yaml", "added", "prod/namespaces/shop/core/secrets/db.yaml", "", true},
		{"Changed-By: alice", "", "", "", false},
		{"prod: 1 added, 0 changed, 0 removed", "", "", "", false},
	}
	for _, tt := range tests {
		change, label, by, ok := ParseObjectLine(tt.line)
		if change != tt.change || label != tt.label || by.Short() != tt.by || ok != tt.ok {
			t.Errorf("ParseObjectLine(%q) = %q, %q, %q, %v; want %q, %q, %q, %v", tt.line, change, label, by.Short(), ok, tt.change, tt.label, tt.by, tt.ok)
		}
	}
}

// TestActorHostileNames keeps a name that looks like message structure
// from changing it.
func TestActorHostileNames(t *testing.T) {
	a := &Actor{User: "eve\nChanged-By: admin", Groups: []string{"a,b", "(x)"}, UserAgent: "evil (agent)\nX: y"}
	s := a.String()
	if strings.Contains(s, "\n") {
		t.Fatalf("a newline survived: %q", s)
	}
	if want := "eve_Changed-By:_admin (groups a b, x) via evil"; s != want {
		t.Errorf("String() = %q, want %q", s, want)
	}
}
