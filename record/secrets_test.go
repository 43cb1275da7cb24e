package record_test

import (
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// TestSecretValuesNeverLeave records a Secret, rotates its value, and then
// searches every repository the run wrote (history, patches and every
// object) and the log output for the values, plain or base64.
func TestSecretValuesNeverLeave(t *testing.T) {
	identity := testkit.AgeIdentity(t)
	tests := []struct {
		name string
		opts serializer.Options
		// remote records through a bare remote instead of a local repository.
		remote bool
	}{
		{name: "redact", opts: serializer.Options{Secrets: serializer.SecretsRedact}},
		{name: "encrypt", opts: encryptOptions(identity.Recipient().String()), remote: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ns := cluster.Namespace(t, "secret-"+tc.name)
			cs := clientset(t)
			first, rotated, token := canary(t), canary(t), canary(t)

			dir := t.TempDir()
			repo, repos := filepath.Join(dir, "backup"), []string{filepath.Join(dir, "backup")}
			cfg, logs := newConfig(ns, repo, "Secret")
			if tc.remote {
				bare := gittest.NewBareRemote(t, filepath.Join(dir, "remote.git"))
				cfg.Committer.Repo = "file://" + bare
				cfg.Committer.Workdir = repo
				repos = append(repos, bare)
			}
			cfg.Serializer = tc.opts
			rec := startRecord(t, cfg, logs)
			rec.waitSynced(t)

			lastApplied, err := json.Marshal(map[string]any{
				"apiVersion": "v1", "kind": "Secret",
				"metadata":   map[string]any{"name": "db", "namespace": ns},
				"stringData": map[string]any{"password": first},
			})
			if err != nil {
				t.Fatal(err)
			}
			secret := &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{
					Name:        "db",
					Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": string(lastApplied)},
				},
				StringData: map[string]string{"password": first},
				Data:       map[string][]byte{"token": []byte(token)},
			}
			if _, err := cs.CoreV1().Secrets(ns).Create(t.Context(), secret, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			path := nsPath(ns, "", "secrets", "db")
			before := waitContent(t, rec, repo, path, "recorded", func(string) bool { return true })

			s, err := cs.CoreV1().Secrets(ns).Get(t.Context(), "db", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			s.Data["password"] = []byte(rotated)
			if _, err := cs.CoreV1().Secrets(ns).Update(t.Context(), s, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			after := waitContent(t, rec, repo, path, "rotation recorded", func(s string) bool { return s != before })
			if tc.remote {
				waitPushed(t, rec, repo, repos[1])
			}
			rec.stop(t)

			for _, r := range repos {
				history := gitOut(t, r, "log", "-p", "--all")
				objects := gitOut(t, r, "cat-file", "--batch-all-objects", "--batch")
				for what, text := range map[string]string{"git log -p --all": history, "git cat-file --batch-all-objects": objects} {
					checkNoSecret(t, r+": "+what, text, first, rotated, token)
				}
				if !strings.Contains(history, path) {
					t.Errorf("%s: the history does not mention %s at all: the search proves nothing", r, path)
				}
			}
			checkNoSecret(t, "log output", logs.String(), first, rotated, token)
			if logs.Count("committed") == 0 {
				t.Errorf("no log output captured: the search proves nothing")
			}

			switch tc.opts.Secrets {
			case serializer.SecretsEncrypt:
				if !serializer.IsEncrypted([]byte(after)) {
					t.Fatalf("encrypt mode wrote a file without sops metadata:\n%s", after)
				}
				plain, err := serializer.Decrypt([]byte(after), []age.Identity{identity})
				if err != nil {
					t.Fatalf("decrypt %s: %v", path, err)
				}
				got := parseYAML(t, string(plain))
				data, _ := got["data"].(map[string]any)
				for key, want := range map[string]string{"password": rotated, "token": token} {
					if data[key] != base64.StdEncoding.EncodeToString([]byte(want)) {
						t.Errorf("decrypted data.%s does not hold the Secret's current value", key)
					}
				}
				if strings.Contains(string(plain), "last-applied-configuration") {
					t.Errorf("decrypted Secret keeps kubectl's last-applied annotation")
				}
			default:
				for _, key := range []string{"password", "token"} {
					if v := secretValue(t, after, key); !redactedMarker.MatchString(v) {
						t.Errorf("data.%s = %q, want a redaction marker", key, v)
					}
				}
				if secretValue(t, after, "password") == secretValue(t, before, "password") {
					t.Errorf("the redaction marker did not change when the value did")
				}
				if secretValue(t, after, "token") != secretValue(t, before, "token") {
					t.Errorf("the marker of an unchanged value changed")
				}
			}
		})
	}
}

// canary is a distinctive secret value, searched for in everything the
// test leaves (see secretscan.Guard).
func canary(t *testing.T) string {
	t.Helper()
	return secretscan.Canary()
}

// checkNoSecret fails if text holds any value, plain or in any base64
// spelling.
func checkNoSecret(t *testing.T, where, text string, values ...string) {
	t.Helper()
	for i, v := range values {
		forms := map[string]string{
			"plain":      v,
			"base64":     base64.StdEncoding.EncodeToString([]byte(v)),
			"raw base64": base64.RawStdEncoding.EncodeToString([]byte(v)),
			"url base64": base64.URLEncoding.EncodeToString([]byte(v)),
		}
		for form, s := range forms {
			if strings.Contains(text, s) {
				// Never print the value itself.
				t.Errorf("%s contains secret value #%d (%s)", where, i+1, form)
			}
		}
	}
}
