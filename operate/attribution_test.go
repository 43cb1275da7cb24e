package operate

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// TestSlackTextNamesThePerson: a drift alert says who changed the object
// when the audit webhook named them, else which field manager did.
func TestSlackTextNamesThePerson(t *testing.T) {
	at := time.Date(2026, 11, 22, 3, 12, 0, 0, time.UTC)
	a := WebhookAlert{
		Cluster: "prod", Type: findings.Modified, Message: "drifted",
		Object:      findings.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"},
		Attribution: []findings.Attribution{{Manager: "kubectl-edit", Operation: "Update", Time: at}},
		ChangedBy:   &findings.ChangedBy{User: "alice<script>", UserAgent: "kubectl/v1.36.3 (linux/amd64)", Time: at},
	}
	want := "*clusterscribe* · cluster `prod`\n*Modified* `Deployment.apps shop/web`\ndrifted\nchanged by alice&lt;script&gt; with kubectl/v1.36.3 at 2026-11-22T03:12:00Z"
	if diff := cmp.Diff(want, slackText(a)); diff != "" {
		t.Errorf("with the person (-want +got):\n%s", diff)
	}
	a.ChangedBy = nil
	want = "*clusterscribe* · cluster `prod`\n*Modified* `Deployment.apps shop/web`\ndrifted\nfield manager `kubectl-edit`"
	if diff := cmp.Diff(want, slackText(a)); diff != "" {
		t.Errorf("managedFields only (-want +got):\n%s", diff)
	}
}
