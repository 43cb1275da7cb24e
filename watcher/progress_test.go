package watcher_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/watcher"
)

// TestProgress checks Options.Progress: the objects of the initial list
// are reported, then the zero Resource marks the
// end of the initial sync, and nothing is reported after it.
func TestProgress(t *testing.T) {
	ns := cluster.Namespace(t, "progress")
	cs := cluster.Clientset(t)
	for i := range 3 {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%d", i), Namespace: ns}}
		if _, err := cs.CoreV1().ConfigMaps(ns).Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	listed, ends, afterEnd := 0, 0, 0
	w, err := watcher.New(cluster.Config, watcher.Options{
		Want: func(r watcher.Resource) bool { return r.Kind == "ConfigMap" },
		Progress: func(r watcher.Resource, objects int) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case ends > 0:
				afterEnd++
			case r.Kind == "":
				ends++
			case r.Kind == "ConfigMap":
				listed += objects
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	c := collector{ch: w.Events()}
	c.await(t, watcher.Synced, "", "", "")
	cancel()
	for range w.Events() { //nolint:revive // drain until closed
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	// Other tests' namespaces hold ConfigMaps too: at least these three.
	if listed < 3 || ends != 1 || afterEnd != 0 {
		t.Errorf("listed %d objects, %d ends, %d calls after the end; want >= 3, 1, 0", listed, ends, afterEnd)
	}
}
