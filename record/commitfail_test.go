package record_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// TestEncryptedSecretChangeSurvivesFailedCommit changes an encrypted Secret
// while commits fail (the repository's object store is away), then brings
// the store back: the change must still be recorded. Encrypted files are
// compared by fingerprint, and a fingerprint of a render that was never
// committed must not make the Secret look recorded.
func TestEncryptedSecretChangeSurvivesFailedCommit(t *testing.T) {
	identity := testkit.AgeIdentity(t)
	ns := cluster.Namespace(t, "commitfail")
	cs := clientset(t)
	repo := filepath.Join(t.TempDir(), "backup")
	cfg, logs := newConfig(ns, repo, "Secret")
	cfg.Serializer = encryptOptions(identity.Recipient().String())
	rec := startRecord(t, cfg, logs)
	rec.waitSynced(t)

	secrets := cs.CoreV1().Secrets(ns)
	path := nsPath(ns, "", "secrets", "db")
	setPassword := func(v string) {
		t.Helper()
		s, err := secrets.Get(t.Context(), "db", metav1.GetOptions{})
		if err != nil {
			s = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db"}, Data: map[string][]byte{"password": []byte(v)}}
			if _, err := secrets.Create(t.Context(), s, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			return
		}
		s.Data["password"] = []byte(v)
		if _, err := secrets.Update(t.Context(), s, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	password := func(file string) string {
		plain, err := serializer.Decrypt([]byte(file), []age.Identity{identity})
		if err != nil {
			return ""
		}
		return secretValue(t, string(plain), "password")
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	one, two, three := secretscan.Canary(), secretscan.Canary(), secretscan.Canary()
	for _, v := range []string{one, two} {
		setPassword(v)
		waitContent(t, rec, repo, path, "password "+v, func(s string) bool { return password(s) == b64(v) })
	}

	objects := filepath.Join(repo, ".git", "objects")
	if err := os.Rename(objects, objects+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(objects, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	setPassword(three)
	// The recorder says when a batch fails; only then is the store restored.
	eventually(t, rec, "a failed commit", func() (bool, string) {
		return logs.Count("changes not committed; kept pending, retrying with backoff") > 0, "no failed commit logged"
	})
	if err := os.Remove(objects); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(objects+".away", objects); err != nil {
		t.Fatal(err)
	}
	waitContent(t, rec, repo, path, "password three", func(s string) bool { return password(s) == b64(three) })
	rec.stop(t)
}
