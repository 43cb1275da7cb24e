package restore

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// testLogger writes to the test log.
func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// seed applies every manifest under testdata/<dir>.
func seed(t *testing.T, c *testcluster.Cluster, dir string) {
	t.Helper()
	c.ApplyDir(t, "seed", filepath.Join("testdata", dir))
}

// recordOnce records c into branch of the local repository repo, as
// cluster "prod", Secrets encrypted to id, and returns the branch tip.
func recordOnce(t *testing.T, c *testcluster.Cluster, repo, branch string, id *age.X25519Identity, f filters.Options) plumbing.Hash {
	t.Helper()
	err := record.Run(t.Context(), c.Config, record.Config{
		Cluster:    "prod",
		Once:       true,
		Watcher:    watcher.Options{QPS: 200, Burst: 400},
		Filters:    f,
		Serializer: serializer.Options{Secrets: serializer.SecretsEncrypt, AgeRecipients: []string{id.Recipient().String()}},
		Committer:  committer.Options{Repo: repo, Branch: branch},
	})
	if err != nil {
		t.Fatalf("record %s: %v", branch, err)
	}
	r, err := git.PlainOpen(repo)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.Reference(plumbing.NewBranchReferenceName(branch), true)
	if err != nil {
		t.Fatal(err)
	}
	return ref.Hash()
}

// commitTree is the root tree of commit h of repo.
func commitTree(t *testing.T, repo *git.Repository, h plumbing.Hash) *object.Tree {
	t.Helper()
	c, err := repo.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := c.Tree()
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// treeFiles returns every file of a commit of the repository at repo.
func treeFiles(t *testing.T, repo string, commit plumbing.Hash) map[string][]byte {
	t.Helper()
	r, err := git.PlainOpen(repo)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	err = commitTree(t, r, commit).Files().ForEach(func(f *object.File) error {
		rd, err := f.Reader()
		if err != nil {
			return err
		}
		defer func() { _ = rd.Close() }()
		data, err := io.ReadAll(rd)
		out[f.Name] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// comparable makes two recordings comparable byte for byte. Encryption is
// randomized (fresh data key and IVs each time) and the fingerprint
// annotation is keyed with the Secret's uid, which differs between
// clusters: for encrypted files the decrypted content without the
// fingerprint is compared instead. Every other file is kept as it is.
func comparable(t *testing.T, files map[string][]byte, id age.Identity) map[string]string {
	t.Helper()
	out := make(map[string]string, len(files))
	for p, data := range files {
		if !serializer.IsEncrypted(data) {
			out[p] = string(data)
			continue
		}
		plain, err := serializer.Decrypt(data, []age.Identity{id})
		if err != nil {
			t.Fatalf("decrypt %s: %v", p, err)
		}
		obj, err := decodeOne(plain)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		stripFingerprint(obj)
		canon, err := serializer.Marshal(obj.Object)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = "decrypted:\n" + string(canon)
	}
	return out
}

// mustFail asserts err wraps target.
func mustFail(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}
