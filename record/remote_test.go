package record_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// newBareRemote creates an empty bare repository with the real git.
func newBareRemote(t *testing.T, dir string) string {
	t.Helper()
	if out, err := gitTry(filepath.Dir(dir), "init", "--bare", "--initial-branch=main", dir); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return dir
}

// setValue creates or updates ConfigMap name with data {"value": v}.
func setValue(t *testing.T, cs kubernetes.Interface, ns, name string, v int) {
	t.Helper()
	cms := cs.CoreV1().ConfigMaps(ns)
	cm, err := cms.Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		cm = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"value": strconv.Itoa(v)}}
		if _, err := cms.Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create configmap %s: %v", name, err)
		}
		return
	}
	cm.Data = map[string]string{"value": strconv.Itoa(v)}
	if _, err := cms.Update(t.Context(), cm, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update configmap %s: %v", name, err)
	}
}

func hasValue(v int) func(string) bool {
	return func(s string) bool { return strings.Contains(s, "value: \""+strconv.Itoa(v)+"\"\n") }
}

// history is `git log` of the branch: hash, parents, subject and body.
func history(t *testing.T, dir string) string {
	t.Helper()
	return gitOut(t, dir, "log", "--format=%H %P%n%B%n--", branchRef)
}

// TestRemoteDownThenUp takes the remote away while several batches are
// committed, brings it back, and checks every commit arrives, in order.
func TestRemoteDownThenUp(t *testing.T) {
	ns := cluster.Namespace(t, "remote")
	cs := clientset(t)
	dir := t.TempDir()
	bare := newBareRemote(t, filepath.Join(dir, "remote.git"))
	clone := filepath.Join(dir, "clone")
	cfg, logs := newConfig(ns, "file://"+bare, "ConfigMap")
	cfg.Committer.Workdir = clone
	setValue(t, cs, ns, "counter", 0)
	rec := startRecord(t, cfg, logs)
	path := nsPath(ns, "", "configmaps", "counter")
	waitContent(t, rec, bare, path, "initial snapshot pushed", hasValue(0))

	away := bare + ".away"
	if err := os.Rename(bare, away); err != nil {
		t.Fatal(err)
	}
	const batches = 4
	for v := 1; v <= batches; v++ {
		setValue(t, cs, ns, "counter", v)
		waitContent(t, rec, clone, path, fmt.Sprintf("value %d committed locally", v), hasValue(v))
	}
	eventually(t, rec, "a failed push", func() (bool, string) {
		return logs.count("push failed, will retry") > 0, "no failed push logged"
	})
	if err := os.Rename(away, bare); err != nil {
		t.Fatal(err)
	}
	eventually(t, rec, "the remote to catch up", func() (bool, string) {
		local, remote := tip(clone), tip(bare)
		return local != "" && local == remote, fmt.Sprintf("clone at %q, remote at %q", local, remote)
	})
	rec.stop(t)

	if diff := cmp.Diff(history(t, clone), history(t, bare)); diff != "" {
		t.Errorf("git log of the clone and of the remote differ (-clone +remote):\n%s", diff)
	}
	commits := strings.Fields(gitOut(t, bare, "rev-list", "--reverse", branchRef))
	if len(commits) != batches+1 {
		t.Fatalf("the remote has %d commits, want %d (initial snapshot + %d batches)", len(commits), batches+1, batches)
	}
	for v, c := range commits {
		got, _ := show(bare, c, path)
		if !hasValue(v)(got) {
			t.Errorf("commit %d of %d holds\n%s\nwant value %d", v+1, len(commits), got, v)
		}
	}
	gitOut(t, bare, "fsck", "--strict", "--no-dangling")
}

// TestTwoRecordersShareARemote runs two recorders with different cluster
// names into one bare remote at the same time.
func TestTwoRecordersShareARemote(t *testing.T) {
	ns := cluster.Namespace(t, "shared")
	cs := clientset(t)
	dir := t.TempDir()
	bare := newBareRemote(t, filepath.Join(dir, "remote.git"))
	setValue(t, cs, ns, "counter", 0)

	clusters := []string{"east", "west"}
	recs := map[string]*recording{}
	for _, name := range clusters {
		cfg, logs := newConfig(ns, "file://"+bare, "ConfigMap")
		cfg.Cluster = name
		cfg.Committer.Workdir = filepath.Join(dir, name)
		recs[name] = startRecord(t, cfg, logs)
	}
	pathOf := func(cluster string) string {
		return cluster + "/namespaces/" + ns + "/core/configmaps/counter.yaml"
	}
	for _, name := range clusters {
		waitContent(t, recs[name], bare, pathOf(name), name+"'s initial snapshot on the remote", hasValue(0))
	}

	// Both record every change, so both push at about the same time and
	// one of them finds the remote moved.
	const changes = 8
	for v := 1; v <= changes; v++ {
		setValue(t, cs, ns, "counter", v)
		for _, name := range clusters {
			waitContent(t, recs[name], filepath.Join(dir, name), pathOf(name), fmt.Sprintf("%s commits value %d", name, v), hasValue(v))
		}
	}
	var wg sync.WaitGroup
	for _, name := range clusters {
		wg.Go(func() { recs[name].cancel() })
	}
	wg.Wait()
	for _, name := range clusters {
		recs[name].stop(t)
	}

	if got := gitOut(t, bare, "rev-list", "--merges", branchRef); got != "" {
		t.Errorf("the remote branch has merge commits:\n%s", got)
	}
	gitOut(t, bare, "fsck", "--strict", "--no-dangling")
	commits := strings.Fields(gitOut(t, bare, "rev-list", "--reverse", branchRef))
	perCluster := map[string][]int{}
	for _, c := range commits {
		subject := strings.TrimSpace(gitOut(t, bare, "log", "-1", "--format=%s", c))
		owner, _, _ := strings.Cut(subject, ":")
		touched := strings.Fields(gitOut(t, bare, "show", "--format=", "--name-only", c))
		for _, p := range touched {
			if !strings.HasPrefix(p, owner+"/") {
				t.Errorf("commit %s (%q) touches %s outside its cluster's tree", c, subject, p)
			}
		}
		content, _ := show(bare, c, pathOf(owner))
		v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(valueLine(content), "  value: "), `"`))
		if err != nil {
			t.Fatalf("commit %s: %s holds no value:\n%s", c, pathOf(owner), content)
		}
		perCluster[owner] = append(perCluster[owner], v)
	}
	for _, name := range clusters {
		got := perCluster[name]
		if n := recs[name].logs.count("committed"); len(got) != n {
			t.Errorf("%s committed %d times but the remote has %d of its commits", name, n, len(got))
		}
		if !slices.IsSorted(got) || len(got) == 0 || got[len(got)-1] != changes {
			t.Errorf("%s's commits on the remote hold values %v: want them in order, ending with %d", name, got, changes)
		}
		if tip(filepath.Join(dir, name)) == "" {
			t.Errorf("%s has no local branch", name)
		}
	}
	tree := gitOut(t, bare, "ls-tree", "--name-only", branchRef)
	if diff := cmp.Diff("east\nwest\n", tree); diff != "" {
		t.Errorf("top of the remote branch (-want +got):\n%s", diff)
	}
	for _, name := range clusters {
		if got, _ := show(bare, branchRef, pathOf(name)); !hasValue(changes)(got) {
			t.Errorf("%s on the remote holds\n%s\nwant value %d", pathOf(name), got, changes)
		}
	}
}

// valueLine returns the value line of a counter ConfigMap file.
func valueLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "  value: ") {
			return l
		}
	}
	return ""
}
