package watcher

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"

	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// stoppedInformer returns a CRD informer that ran and has stopped, as the
// watcher's informers do when its context ends.
func stoppedInformer(t *testing.T) *informer {
	t.Helper()
	lw := &cache.ListWatch{
		ListWithContextFunc: func(context.Context, metav1.ListOptions) (runtime.Object, error) {
			return &unstructured.UnstructuredList{Object: map[string]any{"apiVersion": "v1", "kind": "List"}}, nil
		},
		WatchFuncWithContext: func(context.Context, metav1.ListOptions) (watch.Interface, error) {
			return watch.NewFake(), nil
		},
	}
	si := cache.NewSharedIndexInformerWithOptions(lw, &unstructured.Unstructured{}, cache.SharedIndexInformerOptions{})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); si.RunWithContext(ctx) }()
	cancel()
	<-done
	return &informer{informer: si}
}

// TestFollowSharedCRDsAfterStop: following CRDs through an informer that
// stopped with the watcher's context (an audit stops the watcher once its
// initial lists are in) logs no warning; an informer stopped while the
// watcher runs still warns.
func TestFollowSharedCRDsAfterStop(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stopped  bool // the watcher's context has ended
		wantWarn bool
	}{
		{name: "watcher stopped", stopped: true, wantWarn: false},
		{name: "watcher running", stopped: false, wantWarn: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs testkit.SyncBuffer
			w := &Watcher{log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			inf := stoppedInformer(t)
			if tc.stopped {
				cancel()
			}
			<-w.followSharedCRDs(ctx, inf, func() {}, &atomic.Bool{})
			if got := strings.Contains(logs.String(), "level=WARN"); got != tc.wantWarn {
				t.Errorf("warned %v, want %v; log:\n%s", got, tc.wantWarn, logs.String())
			}
		})
	}
}
