package committer

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/internal/golden"
)

func TestCommitMessageGolden(t *testing.T) {
	c, dir := newCommitter(t, "prod")
	at := time.Date(2026, 11, 22, 1, 2, 3, 0, time.FixedZone("CET", 3600))
	mustCommit(t, c,
		Change{Path: "prod/namespaces/shop/core/configmaps/old.yaml", Data: []byte("old\n"), Object: "v1/ConfigMap shop/old"},
		Change{Path: "prod/namespaces/shop/core/services/web.yaml", Data: []byte("v1\n"), Object: "v1/Service shop/web"},
	)

	mustCommit(t, c,
		Change{
			Path: "prod/namespaces/shop/apps/deployments/web.yaml", Data: []byte("web\n"),
			Object:      "apps/Deployment shop/web",
			Attribution: &Attribution{Manager: "kubectl-client-side-apply", Operation: "Update", Time: at},
		},
		Change{
			Path: "prod/cluster/core/namespaces/shop.yaml", Data: []byte("ns\n"),
			Object:      "v1/Namespace shop",
			Attribution: &Attribution{Manager: "argocd-controller", Operation: "Apply"},
		},
		Change{
			Path: "prod/namespaces/shop/core/services/web.yaml", Data: []byte("v2\n"),
			Object:      "v1/Service shop/web",
			Attribution: &Attribution{Manager: "helm", Operation: "Update", Time: at.Add(time.Hour)},
		},
		Change{Path: "prod/namespaces/shop/core/configmaps/old.yaml", Object: "v1/ConfigMap shop/old"},
		Change{Path: "prod/namespaces/shop/core/secrets/db.yaml", Data: []byte("redacted\n")},
		Change{Path: "prod/namespaces/shop/core/configmaps/evil.yaml", Data: []byte("x\n"), Object: "v1/ConfigMap shop/evil\nInjected: trailer"},
		Change{Path: "prod/namespaces/shop/core/configmaps/gone.yaml", Object: "v1/ConfigMap shop/never-existed"},
	)

	golden.CheckString(t, filepath.Join("testdata", "commit-message.golden"), runGit(t, dir, "log", "-1", "--format=%B", "backup")+"\n")
}

func TestAttributionString(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("X", -7*3600))
	tests := []struct {
		name string
		a    *Attribution
		want string
	}{
		{name: "nil", a: nil, want: ""},
		{name: "empty", a: &Attribution{}, want: ""},
		{name: "all", a: &Attribution{Manager: "kubectl", Operation: "Apply", Time: at}, want: "kubectl Apply 2026-01-02T10:04:05Z"},
		{name: "time only", a: &Attribution{Time: at}, want: "2026-01-02T10:04:05Z"},
		{name: "manager only", a: &Attribution{Manager: "kube-controller-manager"}, want: "kube-controller-manager"},
		{name: "control characters", a: &Attribution{Manager: "bad\nmanager\t"}, want: "bad manager"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.a.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormatMessageCapsLongLists(t *testing.T) {
	lines := make([]messageLine, maxMessageLines+5)
	for i := range lines {
		lines[i] = messageLine{kind: kindAdded, path: fmt.Sprintf("c/x/%05d.yaml", i)}
	}
	msg := formatMessage("c", lines)
	if got := strings.Count(msg, "\nadded "); got != maxMessageLines {
		t.Errorf("object lines = %d, want %d", got, maxMessageLines)
	}
	if !strings.Contains(msg, "… and 5 more") {
		t.Errorf("message does not say how many were left out:\n%s", msg[len(msg)-200:])
	}
	if !strings.HasPrefix(msg, "c: 1005 added, 0 changed, 0 removed\n") {
		t.Errorf("summary line = %q", strings.SplitN(msg, "\n", 2)[0])
	}
}
