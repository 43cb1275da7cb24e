package restore

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/committer"
)

// commitFiles writes one commit with files (path -> content) on branch of a
// new local repository and returns the repository's directory.
func commitFiles(t *testing.T, prefix, branch string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	c, err := committer.Open(t.Context(), committer.Options{Repo: dir, Branch: branch, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	var changes []committer.Change
	for p, data := range files {
		changes = append(changes, committer.Change{Path: p, Data: []byte(data)})
	}
	if _, err := c.Commit(t.Context(), changes); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestMalformedFile: a backup with a file that is not valid YAML restores
// everything else, and the failure names the file.
func TestMalformedFile(t *testing.T) {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	ns := "lab-" + hex.EncodeToString(b)
	base := "lab/namespaces/" + ns + "/"
	broken := base + "core/configmaps/broken.yaml"
	repo := commitFiles(t, "lab", DefaultRef, map[string]string{
		"lab/README.md": "# not an object\n",
		"lab/cluster/core/namespaces/" + ns + ".yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n",
		base + "core/configmaps/good.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n  namespace: " + ns + "\ndata:\n  k: v\n",
		broken:                                        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n data: [\n",
		base + "core/secrets/token.yaml":              "apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\n  namespace: " + ns + "\ndata:\n  token: <redacted:0123456789ab>\n",
		base + "apps/deployments/api.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: " + ns + "\n" +
			"spec:\n  selector:\n    matchLabels:\n      app: api\n  template:\n    metadata:\n      labels:\n        app: api\n" +
			"    spec:\n      containers:\n      - name: api\n        image: registry.example/api:1\n",
	})

	sum, err := Run(t.Context(), clusterB.Config, Config{Source: Source{Repo: repo}, QPS: 200, Burst: 400, Logger: testLogger(t)})
	mustFail(t, err, ErrIncomplete)

	failed := sum.With(Failed)
	if len(failed) != 1 || failed[0].Path != broken {
		t.Fatalf("failed = %+v, want only %s", failed, broken)
	}
	var oe *ObjectError
	if !errors.As(failed[0].Err, &oe) || oe.Path != broken || !strings.Contains(failed[0].Err.Error(), broken) {
		t.Errorf("error %v does not name %s", failed[0].Err, broken)
	}
	if diff := cmp.Diff([]string{"ConfigMap " + ns + "/good", "Deployment.apps " + ns + "/api", "Namespace " + ns}, objects(sum.With(Created))); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Secret " + ns + "/token"}, objects(sum.Redacted())); diff != "" {
		t.Errorf("redacted (-want +got):\n%s", diff)
	}
	cs := clusterB.Clientset(t)
	if _, err := cs.CoreV1().ConfigMaps(ns).Get(t.Context(), "good", metav1.GetOptions{}); err != nil {
		t.Errorf("the good ConfigMap was not restored: %v", err)
	}
	if _, err := cs.AppsV1().Deployments(ns).Get(t.Context(), "api", metav1.GetOptions{}); err != nil {
		t.Errorf("the Deployment was not restored: %v", err)
	}
	if _, err := cs.CoreV1().Secrets(ns).Get(t.Context(), "token", metav1.GetOptions{}); err == nil {
		t.Error("the redacted Secret was restored")
	}

	out := report(t, sum)
	for _, want := range []string{broken, "warning: 1 redacted Secret(s) skipped", ns + "/token", "lab/README.md"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
