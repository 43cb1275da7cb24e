package corpus_test

import (
	"testing"

	"filippo.io/age"
	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/clusterscribe/clusterscribe/internal/treecheck"
	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/restore"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// roundTrip records the cluster (the project's namespaces and every
// cluster-scoped object), deletes the project, restores the backup into
// the same control plane and records again into another branch: both
// trees are the same, file for file. Secrets are encrypted, so that they
// can be restored.
func roundTrip(t *testing.T, in *install) {
	t.Helper()
	id := testkit.AgeIdentity(t)
	repo := t.TempDir()
	rec := func(branch string) map[string]string {
		t.Helper()
		err := record.Run(t.Context(), cluster.Config, record.Config{
			Cluster: "corpus",
			Once:    true,
			Watcher: watcher.Options{QPS: 200, Burst: 400},
			// The Service ClusterIPs the API server allocates: a restored
			// Service gets fresh ones.
			Filters:    filters.Options{Namespaces: in.namespaces(), ExcludeKinds: []string{"ipaddresses.networking.k8s.io"}},
			Serializer: serializer.Options{Secrets: serializer.SecretsEncrypt, AgeRecipients: []string{id.Recipient().String()}},
			Committer:  committer.Options{Repo: repo, Branch: branch},
		})
		if err != nil {
			t.Fatalf("record %s: %v", branch, err)
		}
		files, err := treecheck.Files(repo, branch, "corpus", []age.Identity{id})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	before := rec("before")
	for _, path := range in.files(t, "corpus") {
		if _, ok := before[path]; !ok {
			t.Errorf("the backup has no %s", path)
		}
	}
	in.remove(t)
	sum, err := restore.Run(t.Context(), cluster.Config, restore.Config{
		Source:     restore.Source{Repo: repo, Ref: "before"},
		Identities: []age.Identity{id},
		QPS:        200,
		Burst:      400,
	})
	for _, r := range sum.With(restore.Failed) {
		t.Errorf("restore %s: %v", r.Path, r.Err)
	}
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	in.settle(t)
	if diff := cmp.Diff(before, rec("after")); diff != "" {
		t.Errorf("recorded after the restore differs from the backup (-before +after):\n%s", diff)
	}
}
