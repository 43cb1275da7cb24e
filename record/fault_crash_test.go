package record_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/clusterscribe/clusterscribe/internal/treecheck"
	"github.com/clusterscribe/clusterscribe/record"
)

// crashObjects is the size of the snapshot the crash test records: large
// enough that writing its commit and pushing it take a while.
const crashObjects = 1500

// TestKilledMidCommitThenRestarted runs `clusterscribe record` as a
// process and kills it with SIGKILL at several points: while it writes the
// initial snapshot's commit, while it writes a batch's commit, and while it
// pushes. After each kill both the clone and the remote pass `git fsck
// --full --strict`, and a restarted recorder brings the remote's branch to
// equal a fresh LIST, every commit of the clone on it, in one line.
func TestKilledMidCommitThenRestarted(t *testing.T) {
	bin := buildCLI(t)
	ns := cluster.Namespace(t, "crash")
	cs := clientset(t)
	fillConfigMaps(t, cs, ns, 1)
	// The workload churns in the namespace; the recorder records
	// ConfigMaps only, so that the branch moves only with the batches
	// the kills aim at.
	work := startChurn(t, cs, ns)

	remote, clone, args, check := cliRecordSetup(t, ns, "--log-level", "debug")
	// recovered restarts the recorder and waits until the remote equals the
	// cluster and holds every commit of the clone.
	recovered := func(what string) *cliRun {
		t.Helper()
		fsckClean(t, what, clone, remote)
		run := startCLI(t, bin, args...)
		treecheck.Await(t, cluster.Config, check, 2*patience, run.Alive)
		waitCLIPushed(t, run, clone, remote)
		return run
	}

	// 1. While the initial snapshot's commit is being written: objects
	// appear in the clone, the branch does not exist yet.
	run := startCLI(t, bin, args...)
	run.killWhen(t, "writing the initial snapshot's commit", func() (bool, string) {
		n, at := looseObjects(t, clone), refTip(clone)
		return n >= 50 && at == "", fmt.Sprintf("%d loose objects, branch at %q", n, at)
	})
	if got := tip(clone); got != "" {
		t.Fatalf("the kill landed after the initial commit (branch at %s): the test did not kill mid-commit", got)
	}
	run = recovered("after a kill during the initial commit")

	// 2. While a batch's commit is being written: new objects appear, the
	// branch has not moved yet.
	before, objects := tip(clone), looseObjects(t, clone)
	filled := fillingConfigMaps(t, cs, ns, 2)
	run.killWhen(t, "writing a batch's commit", func() (bool, string) {
		n, at := looseObjects(t, clone), refTip(clone)
		return n >= objects+50 && at == before, fmt.Sprintf("%d loose objects (%d before), branch at %s", n, objects, at)
	})
	if got := tip(clone); got != before {
		t.Fatalf("the kill landed after the batch's commit (branch moved from %s to %s)", before, got)
	}
	filled()
	run = recovered("after a kill during a batch's commit")

	// 3. While pushing: the clone's branch moved, the remote's not yet.
	// A push that completes first is not a failure of the recorder, only a
	// missed kill: each round changes every object again and tries anew.
	for round := 3; ; round++ {
		pushed := tip(remote)
		filled := fillingConfigMaps(t, cs, ns, round)
		run.killWhen(t, "pushing", func() (bool, string) {
			local, theirs := refTip(clone), refTip(remote)
			return local != pushed && local != "?" && theirs == pushed, fmt.Sprintf("clone at %s, remote at %s", local, theirs)
		})
		landed := tip(remote) == pushed
		filled()
		run = recovered(fmt.Sprintf("after a kill while pushing (round %d)", round))
		if landed {
			t.Logf("killed mid-push in round %d", round)
			break
		}
		if round == 5 {
			t.Fatal("every push completed before the kill: the test did not kill mid-push")
		}
	}
	work.stop(t)
	run.stop(t)
	fsckClean(t, "at the end", clone, remote)
	if got := gitOut(t, remote, "rev-list", "--merges", branchRef); got != "" {
		t.Errorf("the remote branch has merge commits:\n%s", got)
	}
	if local, theirs := tip(clone), tip(remote); local != theirs {
		t.Errorf("the clone's branch is at %s, the remote's at %s", local, theirs)
	}
}

// cliRecordSetup prepares `clusterscribe record` of the ConfigMaps of ns
// into a new bare remote through a clone: it returns both repositories,
// the command's arguments (extra appended) and the check that the remote
// equals the cluster.
func cliRecordSetup(t *testing.T, ns string, extra ...string) (remote, clone string, args []string, check treecheck.Options) {
	t.Helper()
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := cluster.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	remote = gittest.NewBareRemote(t, filepath.Join(dir, "remote.git"))
	clone = filepath.Join(dir, "clone")
	args = append([]string{
		"record", "--kubeconfig", kubeconfig, "--repo", "file://" + remote, "--workdir", clone,
		"--cluster-name", "test", "--namespaces", ns, "--include-kinds", "ConfigMap",
		"--batch-window", "2s", "--log-format", "json",
	}, extra...)
	check = treecheck.Options{
		Record: record.Config{
			Cluster:   "test",
			Filters:   filters.Options{Namespaces: []string{ns}, IncludeKinds: []string{"ConfigMap"}},
			Committer: committer.Options{Branch: branch},
		},
		Repo: remote,
	}
	return remote, clone, args, check
}

// fillConfigMaps creates (value 1) or updates every ConfigMap of the crash
// test, in parallel.
func fillConfigMaps(t *testing.T, cs kubernetes.Interface, ns string, value int) {
	t.Helper()
	if err := fillConfigMapsErr(t.Context(), cs, ns, crashObjects, value); err != nil {
		t.Fatal(err)
	}
}

// fillingConfigMaps is fillConfigMaps in the background: the returned
// function waits for it to finish.
func fillingConfigMaps(t *testing.T, cs kubernetes.Interface, ns string, value int, n ...int) (wait func()) {
	t.Helper()
	count := crashObjects
	if len(n) > 0 {
		count = n[0]
	}
	done := make(chan error, 1)
	go func() { done <- fillConfigMapsErr(t.Context(), cs, ns, count, value) }()
	return func() {
		t.Helper()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// fillConfigMapsErr creates (value 1) or updates n ConfigMaps.
func fillConfigMapsErr(ctx context.Context, cs kubernetes.Interface, ns string, n, value int) error {
	const workers = 16
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				cm := &corev1.ConfigMap{
					ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%04d", i)},
					Data:       map[string]string{"value": strconv.Itoa(value), "filler": strings.Repeat("x", 512)},
				}
				var err error
				if value == 1 {
					_, err = cs.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{})
				} else {
					_, err = cs.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{})
				}
				if err != nil {
					errs <- fmt.Errorf("configmap %s: %w", cm.Name, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// refTip reads the branch's loose ref file of a bare repository, faster
// than git can for a tight polling loop: "" when there is none, "?" while
// it is being rewritten (go-git truncates it, then writes).
func refTip(repo string) string {
	data, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(branchRef)))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return ""
	case err != nil || len(data) == 0:
		return "?"
	}
	return strings.TrimSpace(string(data))
}

// looseObjects counts the loose objects of a bare repository.
func looseObjects(t *testing.T, repo string) int {
	t.Helper()
	dirs, err := os.ReadDir(filepath.Join(repo, "objects"))
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if len(d.Name()) != 2 || !d.IsDir() {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(repo, "objects", d.Name()))
		if err != nil {
			t.Fatal(err)
		}
		n += len(entries)
	}
	return n
}

// fsckClean runs `git fsck --full --strict` on each repository.
func fsckClean(t *testing.T, when string, repos ...string) {
	t.Helper()
	for _, repo := range repos {
		if out, err := gitTry(repo, "fsck", "--full", "--strict", "--no-dangling"); err != nil {
			t.Fatalf("git fsck %s %s: %v\n%s", repo, when, err, out)
		}
	}
}

// waitCLIPushed waits until the remote's branch holds the clone's.
func waitCLIPushed(t *testing.T, run *cliRun, clone, remote string) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		local, theirs := tip(clone), tip(remote)
		if local != "" && local == theirs {
			return
		}
		if err := run.Alive(); err != nil {
			t.Fatalf("waiting for the push: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the remote (%s) did not catch up with the clone (%s) within %s; logs:\n%s", theirs, local, patience, run.Logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// buildCLI is the clusterscribe command, built once per test run.
func buildCLI(t *testing.T) string { return testkit.CLI(t) }

// cliRun is one clusterscribe process.
type cliRun struct{ *testkit.Process }

func startCLI(t *testing.T, bin string, args ...string) *cliRun {
	t.Helper()
	return &cliRun{testkit.StartProcess(t, "clusterscribe", bin, args...)}
}

// killWhen polls cond and kills the process with SIGKILL the moment it
// holds; the git processes it started go too, as in a crashed container.
func (r *cliRun) killWhen(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		ok, state := cond()
		if ok {
			r.KillGroup()
			return
		}
		if err := r.Alive(); err != nil {
			t.Fatalf("waiting to kill while %s: %v", what, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting to kill while %s: gave up after %s; last state: %s; logs:\n%s", what, patience, state, r.Logs)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stop ends the process as a signal from the system would and fails the
// test if it does not exit cleanly.
func (r *cliRun) stop(t *testing.T) {
	t.Helper()
	if err := r.Stop(t); err != nil {
		t.Fatalf("clusterscribe record: %v; logs:\n%s", err, r.Logs)
	}
}
