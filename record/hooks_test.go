package record_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// observed records what an Observer is told.
type observed struct {
	mu       sync.Mutex
	kept     map[string]int // "Upsert name" / "Delete name" -> count, kept objects
	dropped  int
	synced   int
	commits  []int
	pushed   int
	pushErrs []error
	remote   []bool // OnRemote calls, in order
}

func newObserved() *observed { return &observed{kept: map[string]int{}} }

func (o *observed) OnEvent(ev watcher.Event, kept bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !kept {
		o.dropped++
		return
	}
	typ := map[watcher.EventType]string{watcher.Upsert: "Upsert", watcher.Delete: "Delete"}[ev.Type]
	o.kept[typ+" "+ev.Object.GetName()]++
}

func (o *observed) OnSynced() { o.mu.Lock(); o.synced++; o.mu.Unlock() }

func (o *observed) OnCommit(hash string, files int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(hash) != 40 {
		panic("OnCommit: hash " + hash)
	}
	o.commits = append(o.commits, files)
}

func (o *observed) OnPush(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err == nil {
		o.pushed++
		return
	}
	o.pushErrs = append(o.pushErrs, err)
}

func (o *observed) OnRemote(reachable bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.remote = append(o.remote, reachable)
}

func (o *observed) state() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return fmt.Sprintf("kept=%v dropped=%d synced=%d commits=%v pushed=%d pushErrors=%d remote=%v", o.kept, o.dropped, o.synced, o.commits, o.pushed, len(o.pushErrs), o.remote)
}

func (o *observed) check(f func(o *observed) bool) (bool, string) {
	o.mu.Lock()
	ok := f(o)
	o.mu.Unlock()
	return ok, o.state()
}

// TestObserver checks that events, the initial snapshot, commits,
// pushes (of the background pusher, failed and successful) and the
// remote's outage reach the Observer.
func TestObserver(t *testing.T) {
	ns := cluster.Namespace(t, "observer")
	cs := clientset(t)
	dir := t.TempDir()
	bare := gittest.NewBareRemote(t, filepath.Join(dir, "remote.git"))
	cfg, logs := newConfig(ns, "file://"+bare, "ConfigMap")
	cfg.Committer.Workdir = filepath.Join(dir, "clone")
	obs := newObserved()
	cfg.Observer = obs
	setValue(t, cs, ns, "first", 1)
	rec := startRecord(t, cfg, logs)
	path := nsPath(ns, "", "configmaps", "first")
	waitContent(t, rec, bare, path, "initial snapshot pushed", hasValue(1))
	eventually(t, rec, "the initial snapshot observed", func() (bool, string) {
		return obs.check(func(o *observed) bool {
			return o.synced == 1 && o.kept["Upsert first"] == 1 && len(o.commits) == 1 && o.commits[0] == 1 && o.pushed >= 1
		})
	})

	away := bare + ".away"
	if err := os.Rename(bare, away); err != nil {
		t.Fatal(err)
	}
	setValue(t, cs, ns, "first", 2)
	eventually(t, rec, "a failed push observed", func() (bool, string) {
		return obs.check(func(o *observed) bool { return len(o.pushErrs) > 0 && len(o.commits) == 2 })
	})
	if err := os.Rename(away, bare); err != nil {
		t.Fatal(err)
	}
	waitContent(t, rec, bare, path, "second value pushed", hasValue(2))
	eventually(t, rec, "the successful push observed", func() (bool, string) {
		return obs.check(func(o *observed) bool { return o.pushed >= 2 })
	})
	if err := cs.CoreV1().ConfigMaps(ns).Delete(t.Context(), "first", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, rec, "the delete observed", func() (bool, string) {
		return obs.check(func(o *observed) bool { return o.kept["Delete first"] == 1 })
	})
	rec.stop(t)
	if ok, state := obs.check(func(o *observed) bool { return o.synced == 1 }); !ok {
		t.Errorf("OnSynced not called exactly once: %s", state)
	}
	if ok, state := obs.check(func(o *observed) bool { return slices.Equal(o.remote, []bool{true, false, true}) }); !ok {
		t.Errorf("OnRemote calls are not reachable, outage, back: %s", state)
	}
}

// TestAbandon closes Abandon with a change pending: Run returns
// ErrAbandoned at once, without committing it.
func TestAbandon(t *testing.T) {
	ns := cluster.Namespace(t, "abandon")
	cs := clientset(t)
	repo := filepath.Join(t.TempDir(), "backup")
	cfg, logs := newConfig(ns, repo, "ConfigMap")
	cfg.BatchWindow = time.Hour // only a final commit could record the change
	abandon := make(chan struct{})
	cfg.Abandon = abandon
	obs := newObserved()
	cfg.Observer = obs
	setValue(t, cs, ns, "kept", 1)
	rec := startRecord(t, cfg, logs)
	rec.waitSynced(t)
	before := commitCount(t, repo)
	setValue(t, cs, ns, "kept", 2)
	eventually(t, rec, "the change seen", func() (bool, string) {
		return obs.check(func(o *observed) bool { return o.kept["Upsert kept"] == 2 })
	})
	close(abandon)
	rec.WaitFor(t, "Abandon was closed", record.ErrAbandoned)
	if after := commitCount(t, repo); after != before {
		t.Errorf("commits: %d before Abandon, %d after; want no new commit", before, after)
	}
	if got := waitContent(t, nil, repo, nsPath(ns, "", "configmaps", "kept"), "first value kept", hasValue(1)); got == "" {
		t.Error("recorded file is empty")
	}
}
