package propose

import (
	"strings"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// TestBodyNamesThePerson: the "Changed by" column starts with the person
// the audit log named, escaped, before the field managers; the commit
// message says it too.
func TestBodyNamesThePerson(t *testing.T) {
	at := time.Date(2026, 11, 22, 3, 12, 0, 0, time.UTC)
	f := findings.Finding{
		Type: findings.Modified, Object: findings.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"},
		Paths:       []string{"spec.replicas"},
		Attribution: []findings.Attribution{{Manager: "kubectl-edit", Operation: "Update", Time: at}},
		ChangedBy:   &findings.ChangedBy{User: "alice|<b>", UserAgent: "kubectl/v1.36.3 (linux/amd64)", Time: at},
	}
	b := &branch{name: "clusterscribe/propose/prod/shop/deployment.apps/web", changes: []*change{{finding: f}}}
	body := prBody(&findings.Report{Findings: []findings.Finding{f}}, b, "main", "prod")
	if !strings.Contains(body, "| **alice\\|&lt;b&gt; with kubectl/v1.36.3 at 2026-11-22T03:12:00Z**<br>kubectl-edit") {
		t.Errorf("pull request body does not name the person first:\n%s", body)
	}
	if msg := commitMessage(b, "prod"); !strings.Contains(msg, "    changed by alice|<b> with kubectl/v1.36.3 at 2026-11-22T03:12:00Z\n    changed by kubectl-edit") {
		t.Errorf("commit message:\n%s", msg)
	}
}
