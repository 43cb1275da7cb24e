package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/clusterscribe/clusterscribe/audit/report"
	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/kubeapply"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
)

const (
	// lpNamespace holds the workloads; leaseNamespace is clusterscribe's
	// own, where run keeps its Lease.
	lpNamespace    = "shop"
	leaseNamespace = "clusterscribe"
	leaseName      = "clusterscribe" // operate.DefaultLeaseName
	// readersGroup is bound to the read-only ClusterRole the deployment
	// ships, and to nothing else.
	readersGroup = "clusterscribe-readers"
)

const lpDeclared = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  MODE: normal
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: registry.example/web:latest
          securityContext: {privileged: true}
`

// TestLeastPrivilege proves from the API server's own audit log that
// clusterscribe only reads unless a write is asked for. Every command a
// user runs — record --once, record following changes, audit with the
// bundled policies in every format, history, propose --forge none, run
// without leader election — runs as a user of its own, first with full
// access (system:masters: it could write, and must not) and then in a
// group bound only to the read-only ClusterRole of deploy/kustomize
// (every command succeeds, no request is denied). run with leader election
// writes only its Lease in its own namespace. The explicit writes —
// audit --write-policy-reports and restore — do show up as writes, and a
// write with the read-only role as denied, so the checks can fail; the
// dry runs (audit --server-side, restore --dry-run) are writes by verb
// that all carry dryRun=All. A Secret with a canary value is in scope throughout, and
// everything the commands wrote is searched for it.
func TestLeastPrivilege(t *testing.T) {
	c := startAuditedCluster(t)
	secretscan.Guard(t)
	base := t.TempDir()
	declared := filepath.Join(base, "declared")
	if err := os.Mkdir(declared, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(declared, "shop.yaml"), []byte(lpDeclared), 0o644); err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(c.Config)
	seedLeastPrivilege(t, c, cs)
	bindReaders(t, c, cs)

	accesses := []struct {
		name   string
		groups []string
		lease  bool
	}{
		{name: "full", groups: []string{"system:masters"}, lease: true},
		{name: "read-only", groups: []string{readersGroup}},
	}
	users := map[string]map[string]string{} // access → user → command
	for _, a := range accesses {
		t.Run(a.name, func(t *testing.T) {
			e := &exerciser{c: c, cs: cs, dir: filepath.Join(base, a.name), declared: declared, prefix: "lp-" + a.name, groups: a.groups, users: map[string]string{}}
			e.readOnlyCommands(t)
			if a.lease {
				e.leaderElection(t)
			}
			users[a.name] = e.users
		})
	}
	full := &exerciser{c: c, cs: cs, dir: filepath.Join(base, "explicit"), declared: declared, prefix: "lp-explicit", groups: []string{"system:masters"}, users: map[string]string{}}
	t.Run("explicit writes", func(t *testing.T) { full.explicitWrites(t, filepath.Join(base, "full", "backup")) })
	reader := &exerciser{c: c, cs: cs, dir: filepath.Join(base, "denied"), declared: declared, prefix: "lp-denied", groups: []string{readersGroup}, users: map[string]string{}}
	t.Run("read-only ClusterRole denies writes", func(t *testing.T) {
		kc := reader.as(t, "write-policy-reports", "audit --write-policy-reports")
		_, _, err := runCommand(t, "audit", "--kubeconfig", kc, "--declared", declared, "--namespaces", lpNamespace, "--write-policy-reports")
		if err == nil || !strings.Contains(err.Error(), "forbidden") {
			t.Errorf("audit --write-policy-reports with the read-only ClusterRole: %v, want forbidden", err)
		}
	})

	events := c.events(t)
	t.Run("only reads", func(t *testing.T) {
		for _, access := range []string{"full", "read-only"} {
			for user, command := range users[access] {
				var allowed func(apiEvent) bool
				if strings.HasSuffix(user, "-run-leader") {
					allowed = leaseWrite(leaseNamespace, leaseName)
				}
				if w := writes(events[user], allowed); len(w) > 0 {
					t.Errorf("%s (%s access) wrote to the cluster:\n%s", command, access, describe(w))
				}
				n := len(events[user])
				t.Logf("%s (%s access, user %s): %d requests, verbs %v", command, access, user, n, verbs(events[user]))
				if strings.HasPrefix(command, "history") != (n == 0) {
					t.Errorf("%s (%s access): %d requests; only history, which reads Git alone, makes none", command, access, n)
				}
			}
		}
	})
	t.Run("leader election writes only its Lease", func(t *testing.T) {
		user := "lp-full-run-leader"
		var lease []apiEvent
		for _, e := range events[user] {
			if e.ObjectRef != nil && e.ObjectRef.Resource == "leases" && !slices.Contains(readVerbs, e.Verb) {
				lease = append(lease, e)
			}
		}
		if len(lease) == 0 {
			t.Fatalf("no write of the Lease by %s: the exception is not exercised; its requests:\n%s", user, describe(events[user]))
		}
		for _, e := range lease {
			if !leaseWrite(leaseNamespace, leaseName)(e) {
				t.Errorf("a Lease write outside %s/%s: %s", leaseNamespace, leaseName, e)
			}
		}
	})
	t.Run("read-only ClusterRole suffices", func(t *testing.T) {
		for user, command := range users["read-only"] {
			for _, e := range events[user] {
				if code := e.code(); code == 401 || code == 403 {
					t.Errorf("%s: %s denied", command, e)
				}
			}
		}
	})
	t.Run("denials are seen", func(t *testing.T) {
		// The check above can fail: a write with the read-only role is
		// in the audit log as denied.
		if !slices.ContainsFunc(events["lp-denied-write-policy-reports"], func(e apiEvent) bool { return e.code() == 403 }) {
			t.Errorf("no denied request of the read-only write attempt:\n%s", describe(events["lp-denied-write-policy-reports"]))
		}
	})
	t.Run("dry runs persist nothing", func(t *testing.T) {
		for _, user := range []string{"lp-explicit-server-side", "lp-explicit-restore-dry-run"} {
			w := writes(events[user], nil)
			if len(w) == 0 {
				t.Errorf("%s: no dry-run request in the audit log", full.users[user])
			}
			for _, e := range w {
				if !strings.Contains(e.RequestURI, "dryRun=All") {
					t.Errorf("%s: a write that is not a dry run: %s", full.users[user], e)
				}
			}
		}
	})
	t.Run("explicit writes are seen", func(t *testing.T) {
		for user, want := range map[string]string{"lp-explicit-write-policy-reports": "policyreports", "lp-explicit-restore": "configmaps"} {
			w := writes(events[user], nil)
			found := slices.ContainsFunc(w, func(e apiEvent) bool { return e.ObjectRef != nil && e.ObjectRef.Resource == want })
			if !found {
				t.Errorf("%s: no write of %s in the audit log; its writes:\n%s", full.users[user], want, describe(w))
			}
		}
	})
}

// seedLeastPrivilege makes the workloads as a GitOps tool would, a Secret
// with a canary value, the live drift, the PolicyReport CRDs and
// clusterscribe's namespace.
func seedLeastPrivilege(t *testing.T, c *auditedCluster, cs kubernetes.Interface) {
	t.Helper()
	c.ApplyYAML(t, "gitops", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n"+lpDeclared)
	c.ApplyDir(t, "gitops", filepath.Join("..", "..", "testdata", "crds"))
	if _, err := cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: leaseNamespace}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db-credentials"}, StringData: map[string]string{"password": secretscan.Canary()}}
	if _, err := cs.CoreV1().Secrets(lpNamespace).Create(t.Context(), secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	restorable := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "restorable"}, Data: map[string]string{"k": "v"}}
	if _, err := cs.CoreV1().ConfigMaps(lpNamespace).Create(t.Context(), restorable, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().ConfigMaps(lpNamespace).Patch(t.Context(), "settings", types.MergePatchType,
		[]byte(`{"data":{"MODE":"maintenance"}}`), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
}

// bindReaders binds readersGroup to the read-only ClusterRole of
// deploy/kustomize, after checking that it grants nothing but reads.
func bindReaders(t *testing.T, c *auditedCluster, cs kubernetes.Interface) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "deploy", "kustomize", "rbac.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kubeapply.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	var role *unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == "ClusterRole" {
			role = o
		}
	}
	if role == nil {
		t.Fatal("deploy/kustomize/rbac.yaml has no ClusterRole")
	}
	rules, _, _ := unstructured.NestedSlice(role.Object, "rules")
	for _, r := range rules {
		verbs, _, _ := unstructured.NestedStringSlice(r.(map[string]any), "verbs")
		for _, v := range verbs {
			if !slices.Contains(readVerbs, v) {
				t.Fatalf("ClusterRole %s grants %q: not a read-only role", role.GetName(), v)
			}
		}
	}
	c.Apply(t, "test", role)
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: readersGroup},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.GetName()},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: readersGroup}},
	}
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(t.Context(), binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// A user of its own waits for the binding to take effect, so that no
	// user under test sees the moment before.
	probe, err := c.AddUser("lp-probe", readersGroup)
	if err != nil {
		t.Fatal(err)
	}
	pcs := kubernetes.NewForConfigOrDie(probe.Config)
	deadline := time.Now().Add(patience)
	for {
		_, err := pcs.CoreV1().Secrets(lpNamespace).List(t.Context(), metav1.ListOptions{})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the read-only binding never took effect: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// exerciser runs commands, each as a user of its own in groups.
type exerciser struct {
	c        *auditedCluster
	cs       kubernetes.Interface
	dir      string
	declared string
	prefix   string
	groups   []string
	users    map[string]string // user name → command
}

// as provisions the user that runs command and returns its kubeconfig.
func (e *exerciser) as(t *testing.T, what, command string) string {
	t.Helper()
	name := e.prefix + "-" + what
	u, err := e.c.AddUser(name, e.groups...)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(e.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(e.dir, name+".kubeconfig")
	if err := u.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	e.users[name] = command
	return kubeconfig
}

func (e *exerciser) path(name string) string { return filepath.Join(e.dir, name) }

// readOnlyCommands runs every command that must only read.
func (e *exerciser) readOnlyCommands(t *testing.T) {
	kc := e.as(t, "record-once", "record --once")
	if out, _, err := runCommand(t, "record", "--kubeconfig", kc, "--repo", e.path("backup"), "--cluster-name", "lp", "--once"); err != nil {
		t.Fatalf("record --once: %v\n%s", err, out)
	}

	kc = e.as(t, "record", "record")
	rec := startCommand(t, "record", "--kubeconfig", kc, "--repo", e.path("live"), "--cluster-name", "lp", "--batch-window", "200ms")
	rec.waitLog(t, "initial snapshot recorded", 1)
	commits := rec.logs.Count("committed")
	e.changeLive(t)
	rec.waitLog(t, "committed", commits+1)
	rec.stop(t)

	kc = e.as(t, "history", "history")
	out, _, err := runCommand(t, "history", "--kubeconfig", kc, "configmap/"+lpNamespace+"/settings", "--repo", e.path("live"))
	if err != nil || !strings.Contains(out, "ConfigMap "+lpNamespace+"/settings") {
		t.Errorf("history: %v\n%s", err, out)
	}

	for _, format := range report.Formats() {
		kc = e.as(t, "audit-"+format, "audit --bundled-policies -o "+format)
		_, _, err := runCommand(t, "audit", "--kubeconfig", kc, "--declared", e.declared, "--namespaces", lpNamespace,
			"--bundled-policies", "-o", format, "--output-file", e.path("audit."+format))
		if err != nil && exitCode(err) != exitDrift {
			t.Errorf("audit -o %s: %v", format, err)
		}
	}

	repo := e.path("declared-repo")
	gittest.NewRepo(t, repo, map[string]string{"shop.yaml": lpDeclared})
	kc = e.as(t, "propose", "propose --forge none")
	out, _, err = runCommand(t, "propose", "--kubeconfig", kc, "--declared", repo, "--forge", "none",
		"--patch-dir", e.path("patches"), "--cluster-name", "lp", "--namespaces", lpNamespace)
	if err != nil || !strings.Contains(out, "written") {
		t.Errorf("propose: %v\n%s", err, out)
	}

	kc = e.as(t, "run", "run --leader-election.enabled=false")
	run := startCommand(t, "run", "--kubeconfig", kc, "--cluster-name", "lp", "--namespaces", lpNamespace,
		"--record.repo", e.path("run-backup"), "--audit.declared", e.declared, "--policies.bundled-policies",
		"--leader-election.enabled=false", "--server.address", "127.0.0.1:0")
	run.waitLog(t, "initial sync done; ready", 1)
	run.waitLog(t, "audited", 1)
	run.stop(t)
}

// leaderElection runs the service with leader election on, in its own
// namespace as a pod would be.
func (e *exerciser) leaderElection(t *testing.T) {
	kc := e.as(t, "run-leader", "run --leader-election.enabled")
	run := startCommand(t, "run", "--kubeconfig", kc, "--namespace", leaseNamespace, "--cluster-name", "lp", "--namespaces", lpNamespace,
		"--record.repo", e.path("run-leader-backup"), "--audit.declared", e.declared, "--policies.bundled-policies",
		"--leader-election.enabled", "--server.address", "127.0.0.1:0")
	run.waitLog(t, "leading", 1)
	run.waitLog(t, "audited", 1)
	run.stop(t)
	if run.logs.Count("leader lease released") != 1 {
		t.Errorf("run did not release its lease:\n%s", run.logs)
	}
}

// changeLive changes the cluster while record follows it: an update, a
// new object, a rotated Secret value.
func (e *exerciser) changeLive(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	if _, err := e.cs.CoreV1().ConfigMaps(lpNamespace).Patch(ctx, "settings", types.MergePatchType,
		[]byte(fmt.Sprintf(`{"data":{"STEP":%q}}`, e.prefix)), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	added := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: e.prefix + "-added"}, Data: map[string]string{"k": "v"}}
	if _, err := e.cs.CoreV1().ConfigMaps(lpNamespace).Create(ctx, added, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s, err := e.cs.CoreV1().Secrets(lpNamespace).Get(ctx, "db-credentials", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Data["password"] = []byte(secretscan.Canary())
	if _, err := e.cs.CoreV1().Secrets(lpNamespace).Update(ctx, s, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// explicitWrites runs the two commands that write when asked to: audit
// --write-policy-reports, and restore of an object deleted since backup
// was recorded.
func (e *exerciser) explicitWrites(t *testing.T, backup string) {
	kc := e.as(t, "write-policy-reports", "audit --write-policy-reports")
	_, _, err := runCommand(t, "audit", "--kubeconfig", kc, "--declared", e.declared, "--namespaces", lpNamespace,
		"--write-policy-reports", "-o", "json", "--output-file", e.path("policy.json"))
	if err != nil && exitCode(err) != exitDrift {
		t.Errorf("audit --write-policy-reports: %v", err)
	}

	if err := e.cs.CoreV1().ConfigMaps(lpNamespace).Delete(t.Context(), "restorable", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	kc = e.as(t, "restore", "restore")
	out, _, err := runCommand(t, "restore", "--kubeconfig", kc, "--repo", backup, "--namespaces", lpNamespace, "--include-kinds", "configmap")
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if _, err := e.cs.CoreV1().ConfigMaps(lpNamespace).Get(t.Context(), "restorable", metav1.GetOptions{}); err != nil {
		t.Errorf("restore did not bring back the deleted ConfigMap: %v", err)
	}

	// Dry runs ask the API server what it would store: the requests are
	// writes by verb, never persisted.
	kc = e.as(t, "server-side", "audit --server-side")
	_, _, err = runCommand(t, "audit", "--kubeconfig", kc, "--declared", e.declared, "--namespaces", lpNamespace, "--server-side")
	if err != nil && exitCode(err) != exitDrift {
		t.Errorf("audit --server-side: %v", err)
	}
	kc = e.as(t, "restore-dry-run", "restore --dry-run=server")
	out, _, err = runCommand(t, "restore", "--kubeconfig", kc, "--repo", backup, "--namespaces", lpNamespace,
		"--include-kinds", "configmap", "--existing", "update", "--dry-run=server")
	if err != nil {
		t.Errorf("restore --dry-run=server: %v\n%s", err, out)
	}
}

// verbs counts requests by verb.
func verbs(events []apiEvent) map[string]int {
	out := map[string]int{}
	for _, e := range events {
		out[e.Verb]++
	}
	return out
}
