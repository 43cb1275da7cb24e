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
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/record"
)

// setValue creates or updates ConfigMap name with data {"value": v}.
var setValue = testcluster.SetValue

func hasValue(v int) func(string) bool {
	return func(s string) bool { return strings.Contains(s, "value: \""+strconv.Itoa(v)+"\"\n") }
}

// history is `git log` of the branch: hash, parents, subject and body.
func history(t *testing.T, dir string) string {
	t.Helper()
	return gitOut(t, dir, "log", "--format=%H %P%n%B%n--", branchRef)
}

// waitPushed waits until the remote branch contains the clone's branch tip.
// Tests stop a recorder only then: canceling a push to a file:// remote
// while the remote's git unpack-objects runs leaves go-git waiting forever
// for that process, which waits for the rest of the pack.
func waitPushed(t *testing.T, r *recording, clone, remote string) {
	t.Helper()
	eventually(t, r, "the remote to hold every local commit", func() (bool, string) {
		local, theirs := tip(clone), tip(remote)
		if local == "" || theirs == "" {
			return false, fmt.Sprintf("clone at %q, remote at %q", local, theirs)
		}
		_, err := gitTry(remote, "merge-base", "--is-ancestor", local, theirs)
		return err == nil, fmt.Sprintf("clone at %s, remote at %s", local, theirs)
	})
}

// TestRemoteDownThenUp takes the remote away while several batches are
// committed, brings it back, and checks every commit arrives, in order;
// then takes it away at shutdown, and checks the next run pushes what was
// left.
func TestRemoteDownThenUp(t *testing.T) {
	ns := cluster.Namespace(t, "remote")
	cs := clientset(t)
	dir := t.TempDir()
	bare := gittest.NewBareRemote(t, filepath.Join(dir, "remote.git"))
	clone := filepath.Join(dir, "clone")
	cfg, logs := newConfig(ns, "file://"+bare, "ConfigMap")
	cfg.Committer.Workdir = clone
	cfg.ShutdownGrace = time.Second
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
		return logs.Count("push failed, will retry") > 0, "no failed push logged"
	})
	if err := os.Rename(away, bare); err != nil {
		t.Fatal(err)
	}
	waitPushed(t, rec, clone, bare)
	if diff := cmp.Diff(history(t, clone), history(t, bare)); diff != "" {
		t.Errorf("git log of the clone and of the remote differ (-clone +remote):\n%s", diff)
	}

	// Down again at shutdown: the last commit stays in the clone and goes
	// out with the next run.
	if err := os.Rename(bare, away); err != nil {
		t.Fatal(err)
	}
	setValue(t, cs, ns, "counter", batches+1)
	waitContent(t, rec, clone, path, "the last value committed locally", hasValue(batches+1))
	err := rec.Stop(t)
	if err == nil || !strings.Contains(err.Error(), "1 commit(s) kept locally, pushed on the next run") {
		t.Fatalf("record.Run with the remote down at shutdown: %v; want the unpushed commit reported", err)
	}
	if err := os.Rename(away, bare); err != nil {
		t.Fatal(err)
	}
	cfg.Once = true
	if err := record.Run(t.Context(), cluster.Config, cfg); err != nil {
		t.Fatalf("record.Run --once after the remote is back: %v", err)
	}

	if diff := cmp.Diff(history(t, clone), history(t, bare)); diff != "" {
		t.Errorf("git log of the clone and of the remote differ (-clone +remote):\n%s", diff)
	}
	commits := strings.Fields(gitOut(t, bare, "rev-list", "--reverse", branchRef))
	if len(commits) != batches+2 {
		t.Fatalf("the remote has %d commits, want %d (initial snapshot + %d batches)", len(commits), batches+2, batches+1)
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
	bare := gittest.NewBareRemote(t, filepath.Join(dir, "remote.git"))
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
	// one of them may find the remote moved. For the second half the remote
	// is away: when it is back, both have commits to push and whichever
	// pushes second must rebase onto the other's.
	const changes = 8
	away := bare + ".away"
	for v := 1; v <= changes; v++ {
		if v == changes/2+1 {
			if err := os.Rename(bare, away); err != nil {
				t.Fatal(err)
			}
		}
		setValue(t, cs, ns, "counter", v)
		for _, name := range clusters {
			waitContent(t, recs[name], filepath.Join(dir, name), pathOf(name), fmt.Sprintf("%s commits value %d", name, v), hasValue(v))
		}
	}
	if err := os.Rename(away, bare); err != nil {
		t.Fatal(err)
	}
	// Stop only once the remote holds every local commit: a push canceled
	// midway can hang (see waitPushed).
	for _, name := range clusters {
		waitPushed(t, recs[name], filepath.Join(dir, name), bare)
	}
	var wg sync.WaitGroup
	for _, name := range clusters {
		wg.Go(func() { recs[name].Cancel() })
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
	rebases := 0
	for _, name := range clusters {
		rebases += recs[name].logs.Count("remote moved, rebased local commits")
	}
	if rebases == 0 {
		t.Errorf("no recorder had to rebase: the test did not exercise concurrent pushes")
	}
	for _, name := range clusters {
		got := perCluster[name]
		if n := recs[name].logs.Count("committed"); len(got) != n {
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
