package operate

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/watcher/auditwebhook"
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

// TestReceiverWiredIntoRun: with record.audit-webhook-addr the recording
// and the audits use one receiver, whose metrics are on run's /metrics; a
// bad receiver configuration names its key.
func TestReceiverWiredIntoRun(t *testing.T) {
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("s3cret-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Default()
	cfg.Record.Repo = t.TempDir()
	cfg.Audit.Declared = t.TempDir()
	cfg.Record.AuditWebhook = auditwebhook.Options{Addr: "127.0.0.1:0", TokenFile: token}
	o, err := prepare(t.Context(), &rest.Config{Host: "https://127.0.0.1:1"}, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.serveReceiver(t.Context())()
	if o.receiver == nil || o.recCfg.Attributor != o.receiver || o.auditCfg.ChangedBy != o.receiver {
		t.Fatalf("receiver %v, record's attributor %v, audit's %v", o.receiver, o.recCfg.Attributor, o.auditCfg.ChangedBy)
	}
	families, err := o.m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range families {
		names = append(names, f.GetName())
	}
	if !slices.Contains(names, auditwebhook.MetricDropped) {
		t.Errorf("run's metrics lack %s: %v", auditwebhook.MetricDropped, names)
	}

	cfg.Record.AuditWebhook = auditwebhook.Options{Addr: "0.0.0.0:0", TokenFile: token}
	if _, err := prepare(t.Context(), &rest.Config{Host: "https://127.0.0.1:1"}, cfg, Options{}); err == nil || !strings.Contains(err.Error(), "plain HTTP is allowed on loopback only") {
		t.Errorf("off loopback without TLS: %v", err)
	}
}
