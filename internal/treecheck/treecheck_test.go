package treecheck_test

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/clusterscribe/clusterscribe/internal/treecheck"
	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/serializer"
)

var cluster *testcluster.Cluster

func TestMain(m *testing.M) { testcluster.Main(m, &cluster) }

// recordOnce records namespace ns (ConfigMaps and Secrets) into repo once.
func recordOnce(t *testing.T, ns, repo string, opts serializer.Options) record.Config {
	t.Helper()
	cfg := record.Config{
		Cluster:    "test",
		Once:       true,
		Filters:    filters.Options{Namespaces: []string{ns}, IncludeKinds: []string{"ConfigMap", "Secret"}},
		Serializer: opts,
		Committer:  committer.Options{Repo: repo},
		Logger:     slog.New(slog.DiscardHandler),
	}
	if err := record.Run(t.Context(), cluster.Config, cfg); err != nil {
		t.Fatalf("record.Run --once: %v", err)
	}
	return cfg
}

func createConfigMap(t *testing.T, cs kubernetes.Interface, ns, name, value string) {
	t.Helper()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"value": value}}
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func createSecret(t *testing.T, cs kubernetes.Interface, ns, name, value string) {
	t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string][]byte{"password": []byte(value)}}
	if _, err := cs.CoreV1().Secrets(ns).Create(t.Context(), s, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func path(ns, resource, name string) string {
	return "test/namespaces/" + ns + "/core/" + resource + "/" + name + ".yaml"
}

// TestCompareFindsEveryKindOfDifference records a namespace, then changes
// the cluster behind the recorder's back: the comparison names the object
// created (missing), the one deleted (extra) and the one changed
// (different, with a diff showing the new value), and nothing else.
func TestCompareFindsEveryKindOfDifference(t *testing.T) {
	ns := cluster.Namespace(t, "compare")
	cs := cluster.Clientset(t)
	for _, name := range []string{"kept", "changed", "deleted"} {
		createConfigMap(t, cs, ns, name, "one")
	}
	createSecret(t, cs, ns, "creds", "s3cret-value")
	repo := filepath.Join(t.TempDir(), "backup")
	cfg := recordOnce(t, ns, repo, serializer.Options{})

	res := treecheck.Require(t, cluster.Config, treecheck.Options{Record: cfg})
	if res.Objects != 4 || res.Files != 4 {
		t.Errorf("compared %d objects and %d files, want 4 and 4: %s", res.Objects, res.Files, res)
	}
	if !strings.Contains(res.String(), "equals a fresh LIST: 4 objects") {
		t.Errorf("report of an equal tree: %s", res)
	}

	createConfigMap(t, cs, ns, "added", "one")
	if err := cs.CoreV1().ConfigMaps(ns).Delete(t.Context(), "deleted", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	testcluster.UpdateConfigMap(t, cs, ns, "changed", func(data map[string]string) { data["value"] = "two" })

	res, err := treecheck.Compare(t.Context(), cluster.Config, treecheck.Options{Record: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if res.Equal() {
		t.Fatalf("a changed cluster compares equal: %s", res)
	}
	if diff := cmp.Diff([]string{path(ns, "configmaps", "added")}, res.Missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{path(ns, "configmaps", "deleted")}, res.Extra); diff != "" {
		t.Errorf("extra (-want +got):\n%s", diff)
	}
	if len(res.Different) != 1 || res.Different[0].Path != path(ns, "configmaps", "changed") {
		t.Fatalf("different: %+v, want only %s", res.Different, path(ns, "configmaps", "changed"))
	}
	d := res.Different[0].Diff
	if !hasLine(d, "-", "value: two") || !hasLine(d, "+", "value: one") {
		t.Errorf("the diff does not show the live value as - and the recorded one as +:\n%s", d)
	}
	report := res.String()
	for _, want := range []string{"missing (live object, no file): 1", "extra (file, no live object): 1", "different content: 1", "(-live +file)", path(ns, "configmaps", "added")} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}

	// A second run catches up; a stray file under the cluster's directory
	// is then the only difference.
	recordOnce(t, ns, repo, serializer.Options{})
	treecheck.Require(t, cluster.Config, treecheck.Options{Record: cfg})
	stray := "test/notes.txt"
	if err := writeAndCommit(t, repo, stray); err != nil {
		t.Fatal(err)
	}
	res, err = treecheck.Compare(t.Context(), cluster.Config, treecheck.Options{Record: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{stray}, res.Extra); diff != "" || len(res.Missing)+len(res.Different) != 0 {
		t.Errorf("after a stray file: extra (-want +got):\n%s\n%s", diff, res)
	}
}

// writeAndCommit commits a file with the real git, as a person would.
func writeAndCommit(t *testing.T, repo, file string) error {
	t.Helper()
	if _, err := gittest.Try(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--allow-empty", "-m", "placeholder"); err != nil {
		return err
	}
	full := filepath.Join(repo, filepath.FromSlash(file))
	if err := writeFile(full, "a note\n"); err != nil {
		return err
	}
	if _, err := gittest.Try(repo, "add", file); err != nil {
		return err
	}
	_, err := gittest.Try(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-m", "stray file")
	return err
}

// TestCompareSecretModes checks each secret mode: redacted markers are
// compared byte for byte, encrypted Secrets by fingerprint and clear text
// (or decrypted, given the identity), omitted Secrets have no file.
func TestCompareSecretModes(t *testing.T) {
	identity := testkit.AgeIdentity(t)
	encrypt := serializer.Options{Secrets: serializer.SecretsEncrypt, AgeRecipients: []string{identity.Recipient().String()}}
	tests := []struct {
		name       string
		opts       serializer.Options
		identities []age.Identity
		wantFiles  int
	}{
		{name: "redact", opts: serializer.Options{Secrets: serializer.SecretsRedact}, wantFiles: 2},
		{name: "encrypt-fingerprint", opts: encrypt, wantFiles: 2},
		{name: "encrypt-decrypted", opts: encrypt, identities: []age.Identity{identity}, wantFiles: 2},
		{name: "omit", opts: serializer.Options{Secrets: serializer.SecretsOmit}, wantFiles: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ns := cluster.Namespace(t, "secrets")
			cs := cluster.Clientset(t)
			createConfigMap(t, cs, ns, "settings", "one")
			createSecret(t, cs, ns, "creds", "first-password")
			repo := filepath.Join(t.TempDir(), "backup")
			cfg := recordOnce(t, ns, repo, tc.opts)
			o := treecheck.Options{Record: cfg, Identities: tc.identities}

			res := treecheck.Require(t, cluster.Config, o)
			if res.Files != tc.wantFiles || res.Objects != tc.wantFiles {
				t.Errorf("%d files and %d objects compared, want %d: %s", res.Files, res.Objects, tc.wantFiles, res)
			}
			if encrypted := tc.opts.Secrets == serializer.SecretsEncrypt; encrypted != (res.Encrypted == 1) {
				t.Errorf("%d encrypted Secrets compared in mode %s", res.Encrypted, tc.opts.Secrets)
			}

			s, err := cs.CoreV1().Secrets(ns).Get(t.Context(), "creds", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			s.Data["password"] = []byte("second-password")
			if _, err := cs.CoreV1().Secrets(ns).Update(t.Context(), s, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			res, err = treecheck.Compare(t.Context(), cluster.Config, o)
			if err != nil {
				t.Fatal(err)
			}
			if tc.opts.Secrets == serializer.SecretsOmit {
				if !res.Equal() {
					t.Errorf("an omitted Secret's change is a difference: %s", res)
				}
				return
			}
			if len(res.Different) != 1 || res.Different[0].Path != path(ns, "secrets", "creds") {
				t.Fatalf("after a password change: %s", res)
			}
			if len(tc.identities) > 0 && !strings.Contains(res.Different[0].Diff, "the values of password differ") {
				t.Errorf("a decrypted comparison does not name the changed key:\n%s", res.Different[0].Diff)
			}
			for _, v := range []string{"first-password", "second-password", b64("first-password"), b64("second-password")} {
				if strings.Contains(res.String(), v) {
					t.Errorf("the report shows a secret value:\n%s", res)
				}
			}
		})
	}
}

// hasLine reports whether a diff has a line starting with sign (after
// spaces) and holding text.
func hasLine(diff, sign, text string) bool {
	for _, l := range strings.Split(diff, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), sign) && strings.Contains(l, text) {
			return true
		}
	}
	return false
}
