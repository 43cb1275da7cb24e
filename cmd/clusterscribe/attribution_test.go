package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"code.gitea.io/sdk/gitea"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	certutil "k8s.io/client-go/util/cert"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/internal/testgitea"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// webhookCluster is a control plane of its own whose API server sends its
// audit events, under deploy/audit/policy.yaml, to a receiver at
// webhookAddr, and authenticates two people by token.
type webhookCluster struct {
	*testcluster.Cluster
	webhookAddr, webhookToken string
	// tlsCert and tlsKey are the receiver's serving certificate: the API
	// server sends its credentials over https only.
	tlsCert, tlsKey string
	people          map[string]string // user name -> bearer token
}

func startWebhookCluster(t *testing.T) *webhookCluster {
	t.Helper()
	dir := t.TempDir()
	// The port is chosen before the API server starts; in batch mode it
	// retries a receiver that is not up yet.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	c := &webhookCluster{webhookAddr: addr, webhookToken: secretscan.Canary(), people: map[string]string{"alice": secretscan.Canary(), "bob": secretscan.Canary()}}
	tokenFile := writeTestFile(t, dir, "webhook-token", c.webhookToken+"\n")
	certPEM, keyPEM, err := certutil.GenerateSelfSignedCertKey("127.0.0.1", []net.IP{net.ParseIP("127.0.0.1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.tlsCert = writeTestFile(t, dir, "tls.crt", string(certPEM))
	c.tlsKey = writeTestFile(t, dir, "tls.key", string(keyPEM))
	kubeconfig := writeTestFile(t, dir, "webhook-kubeconfig.yaml", fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
  - name: clusterscribe
    cluster: {server: "https://%s/audit", certificate-authority: %q}
users:
  - name: kube-apiserver
    user: {tokenFile: %q}
contexts:
  - name: clusterscribe
    context: {cluster: clusterscribe, user: kube-apiserver}
current-context: clusterscribe
`, addr, c.tlsCert, tokenFile))
	var users strings.Builder
	for name, token := range c.people {
		fmt.Fprintf(&users, "%s,%s,uid-%s,\"devs\"\n", token, name, name)
	}
	usersFile := writeTestFile(t, dir, "tokens.csv", users.String())
	secretscan.Guard(t).Input(tokenFile, kubeconfig, usersFile, c.tlsKey)
	policy, err := filepath.Abs(filepath.Join("..", "..", "deploy", "audit", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c.Cluster = testcluster.New(t, testcluster.Options{APIServerArgs: map[string]string{
		"audit-policy-file":            policy,
		"audit-webhook-config-file":    kubeconfig,
		"audit-webhook-mode":           "batch",
		"audit-webhook-batch-max-wait": "500ms",
		// A receiver that is gone (the test stopped it) must not hold the
		// API server's shutdown through minutes of retries.
		"audit-webhook-initial-backoff": "100ms",
		"token-auth-file":               usersFile,
	}})
	return c
}

func writeTestFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// as is a client authenticated as one of the people, with kubectl's user
// agent.
func (c *webhookCluster) as(t *testing.T, user string) kubernetes.Interface {
	t.Helper()
	cfg := &rest.Config{
		Host: c.Config.Host, BearerToken: c.people[user],
		TLSClientConfig: rest.TLSClientConfig{CAData: c.Config.CAData},
		UserAgent:       "kubectl/v1.36.3 (linux/amd64) kubernetes/0000000",
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestAttribution records a cluster whose API server sends its audit log
// to record's receiver: two people change objects, and the backup
// commits, history, an audit finding (from the backup branch) and a pull
// request on Gitea name each of them.
func TestAttribution(t *testing.T) {
	c := startWebhookCluster(t)
	admin, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	ns := "shop"
	mustDo(t, func() error {
		_, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		return err
	})
	mustDo(t, func() error {
		_, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "devs"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "devs"}},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"}, // "edit" is aggregated by a controller this control plane lacks
		}, metav1.CreateOptions{})
		return err
	})
	// RBAC takes the binding in a moment later.
	deadline := time.Now().Add(patience)
	for _, err := c.as(t, "alice").CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{}); err != nil; _, err = c.as(t, "alice").CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{}) {
		if time.Now().After(deadline) {
			t.Fatalf("alice is still not allowed: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	declaredCM := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n  namespace: " + ns + "\ndata:\n  mode: normal\n"
	mustDo(t, func() error {
		_, err := admin.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "app-config"}, Data: map[string]string{"mode": "normal"}}, metav1.CreateOptions{})
		return err
	})

	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := c.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup")
	webhookToken := writeTestFile(t, dir, "receiver-token", c.webhookToken)
	secretscan.Guard(t).Input(webhookToken)
	rec := startCommand(t, "record", "--kubeconfig", kubeconfig, "--repo", backup, "--cluster-name", "prod",
		"--namespaces", ns, "--include-kinds", "configmaps,secrets", "--batch-window", "4s",
		"--audit-webhook-addr", c.webhookAddr, "--audit-webhook-token-file", webhookToken,
		"--audit-webhook-tls-cert", c.tlsCert, "--audit-webhook-tls-key", c.tlsKey)
	rec.waitLog(t, "initial snapshot recorded", 1)
	commits := rec.logs.Count("committed") // the snapshot's

	// alice hot-fixes the ConfigMap and sets a Secret; one commit, hers.
	secretValue := secretscan.Canary()
	mustDo(t, func() error {
		_, err := c.as(t, "alice").CoreV1().ConfigMaps(ns).Patch(ctx, "app-config", types.MergePatchType, []byte(`{"data":{"mode":"hotfix"}}`), metav1.PatchOptions{})
		return err
	})
	mustDo(t, func() error {
		_, err := c.as(t, "alice").CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db"}, StringData: map[string]string{"password": secretValue}}, metav1.CreateOptions{})
		return err
	})
	rec.waitLog(t, "committed", commits+1)
	// bob adds a ConfigMap nobody declared.
	mustDo(t, func() error {
		_, err := c.as(t, "bob").CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "bob-extra"}, Data: map[string]string{"k": "v"}}, metav1.CreateOptions{})
		return err
	})
	rec.waitLog(t, "committed", commits+2)
	rec.stop(t)

	// The commits: alice's is hers (author), bob's his; lines and trailers.
	log := gitOutput(t, backup, "log", "--format=%an <%ae>%n%B%n----", "clusterscribe/backup")
	for _, want := range []string{
		"alice <alice@kubernetes.invalid>",
		"changed ConfigMap shop/app-config (",
		", by alice via kubectl/v1.36.3)",
		"added   Secret shop/db (",
		"Changed-By: alice (groups devs, system:authenticated) via kubectl/v1.36.3",
		"bob <bob@kubernetes.invalid>",
		"added   ConfigMap shop/bob-extra (",
		"Changed-By: bob (groups devs, system:authenticated) via kubectl/v1.36.3",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("backup history lacks %q:\n%s", want, log)
		}
	}

	// history: a column, and the person in JSON.
	out, _, err := runCommand(t, "history", "configmap/shop/app-config", "--repo", backup)
	if err != nil || !strings.Contains(out, "changed by alice") {
		t.Errorf("history: %v\n%s", err, out)
	}
	out, _, err = runCommand(t, "history", "configmap/shop/bob-extra", "--repo", backup, "-o", "json")
	var changes []struct {
		ChangedBy *struct {
			User   string   `json:"user"`
			Groups []string `json:"groups"`
		} `json:"changedBy"`
	}
	if err != nil || json.Unmarshal([]byte(out), &changes) != nil || len(changes) == 0 || changes[0].ChangedBy == nil || changes[0].ChangedBy.User != "bob" {
		t.Errorf("history -o json: %v\n%s", err, out)
	}

	// audit and propose against the declared repo on Gitea, learning
	// who changed what from the backup branch.
	forgeSrv := testgitea.New(t)
	repo := "declared"
	forgeSrv.CreateRepo(t, repo)
	pushFiles(t, forgeSrv, repo, map[string]string{"apps/app-config.yaml": declaredCM})
	token := forgeSrv.TokenFile(t)
	secretscan.Register(forgeSrv.Token)
	secretscan.Guard(t).Input(token)
	declared := forgeSrv.RepoURL(repo)

	out, _, err = runCommand(t, "audit", "--kubeconfig", kubeconfig, "--declared", declared, "--git-token-file", token,
		"--namespaces", ns, "--include-kinds", "configmaps", "--backup-repo", backup, "--format", "json")
	if !errors.Is(err, errDrift) {
		t.Fatalf("audit: %v, want drift\n%s", err, out)
	}
	var rep struct {
		Findings []struct {
			Type   string `json:"type"`
			Object struct {
				Name string `json:"name"`
			} `json:"object"`
			Attribution []struct {
				Manager string `json:"manager"`
			} `json:"attribution"`
			ChangedBy *struct {
				User string `json:"user"`
			} `json:"changedBy"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("audit report: %v\n%s", err, out)
	}
	who := map[string]string{}
	for _, f := range rep.Findings {
		if f.ChangedBy != nil {
			who[f.Type+" "+f.Object.Name] = f.ChangedBy.User
		}
	}
	if who["Modified app-config"] != "alice" || who["Unmanaged bob-extra"] != "bob" {
		t.Errorf("findings name %v, want alice for the Modified app-config and bob for the Unmanaged bob-extra\n%s", who, out)
	}

	out, _, err = runCommand(t, "propose", "--kubeconfig", kubeconfig, "--declared", declared, "--forge", "gitea",
		"--forge-url", forgeSrv.URL, "--forge-repo", forgeSrv.AdminUser+"/"+repo, "--token-file", token,
		"--namespaces", ns, "--include-kinds", "configmaps", "--backup-repo", backup)
	if err != nil {
		t.Fatalf("propose: %v\n%s", err, out)
	}
	prs := openPullRequests(t, forgeSrv, repo)
	if len(prs) != 1 || !strings.Contains(prs[0], "**alice with kubectl/v1.36.3**") {
		t.Errorf("pull requests do not name alice: %q", prs)
	}
}

func mustDo(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}

func gitOutput(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return gittest.Out(t, dir, args...)
}

// pushFiles commits files to the main branch of a repository on Gitea.
func pushFiles(t *testing.T, s *testgitea.Server, repo string, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	gittest.Out(t, dir, "init", "-q", "-b", "main")
	testkit.WriteFiles(t, dir, files)
	gittest.Out(t, dir, "add", "-A")
	gittest.Out(t, dir, "-c", "user.name=gitops", "-c", "user.email=gitops@example.invalid", "commit", "-q", "-m", "declare the shop")
	gittest.Out(t, dir, "push", "-q", s.CredentialURL(repo), "HEAD:refs/heads/main")
	s.WaitBranch(t, repo, "main", strings.TrimSpace(gittest.Out(t, dir, "rev-parse", "HEAD")))
}

// openPullRequests returns the bodies of the repository's open pull
// requests.
func openPullRequests(t *testing.T, s *testgitea.Server, repo string) []string {
	t.Helper()
	prs, _, err := s.Client(t).ListRepoPullRequests(s.AdminUser, repo, gitea.ListPullRequestsOptions{State: gitea.StateOpen})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, pr := range prs {
		out = append(out, pr.Body)
	}
	return out
}
