package record_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// TestOnceReconcilesWhatChangedWhileStopped runs record --once three
// times: what changed between the runs is one commit, and a run with
// nothing changed makes none. Encrypt mode is included because its files
// differ byte-wise on every render.
func TestOnceReconcilesWhatChangedWhileStopped(t *testing.T) {
	identity := testkit.AgeIdentity(t)
	for _, opts := range []serializer.Options{
		{Secrets: serializer.SecretsRedact},
		encryptOptions(identity.Recipient().String()),
	} {
		t.Run(string(opts.Secrets), func(t *testing.T) {
			ns := cluster.Namespace(t, "once-"+string(opts.Secrets))
			secretscan.Guard(t)
			cs := clientset(t)
			repo := filepath.Join(t.TempDir(), "backup")
			once := func() {
				t.Helper()
				cfg, _ := newConfig(ns, repo, "ConfigMap", "Secret")
				cfg.Once = true
				cfg.Serializer = opts
				if err := record.Run(t.Context(), cluster.Config, cfg); err != nil {
					t.Fatalf("record.Run --once: %v", err)
				}
			}
			for _, name := range []string{"kept", "changed", "deleted"} {
				setValue(t, cs, ns, name, 1)
			}
			_, err := cs.CoreV1().Secrets(ns).Create(t.Context(), &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: "creds"},
				Data:       map[string][]byte{"password": []byte(secretscan.Canary())},
			}, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			cmPath := func(name string) string { return nsPath(ns, "", "configmaps", name) }
			secret := nsPath(ns, "", "secrets", "creds")

			once()
			want := []string{cmPath("changed"), cmPath("deleted"), cmPath("kept"), secret}
			if diff := cmp.Diff(want, files(t, repo)); diff != "" {
				t.Fatalf("files after the first run (-want +got):\n%s", diff)
			}
			if n := commitCount(t, repo); n != 1 {
				t.Fatalf("%d commits after the first run, want 1", n)
			}
			first := tip(repo)

			// Nothing records now.
			if err := cs.CoreV1().ConfigMaps(ns).Delete(t.Context(), "deleted", metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			setValue(t, cs, ns, "changed", 2)

			once()
			if n := commitCount(t, repo); n != 2 {
				t.Fatalf("%d commits after the second run, want 2", n)
			}
			if parent := strings.TrimSpace(gitOut(t, repo, "rev-parse", branchRef+"^")); parent != first {
				t.Errorf("the new commit's parent is %s, want the first run's %s", parent, first)
			}
			got := gitOut(t, repo, "show", "--format=", "--name-status", branchRef)
			wantStatus := "M\t" + cmPath("changed") + "\nD\t" + cmPath("deleted") + "\n"
			if diff := cmp.Diff(wantStatus, got); diff != "" {
				t.Errorf("files of the second run's commit (-want +got):\n%s", diff)
			}
			if content, _ := show(repo, branchRef, cmPath("changed")); !hasValue(2)(content) {
				t.Errorf("%s after the second run:\n%s", cmPath("changed"), content)
			}
			second := tip(repo)

			once()
			if now := tip(repo); now != second {
				t.Errorf("a run with nothing changed moved the branch:\n%s", gitOut(t, repo, "show", "--stat", branchRef))
			}
			if out := gitOut(t, repo, "status", "--porcelain"); out != "" {
				t.Errorf("working tree not in step with the branch:\n%s", out)
			}
		})
	}
}
