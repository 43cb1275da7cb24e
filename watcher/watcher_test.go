package watcher_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/watcher"
)

var cluster *testcluster.Cluster

func TestMain(m *testing.M) { testcluster.Main(m, &cluster) }

// collector reads the watcher's stream in the background and answers
// "has this event arrived yet" questions.
type collector struct {
	ch <-chan watcher.Event
}

func (c collector) await(t *testing.T, typ watcher.EventType, kind, ns, name string) *unstructured.Unstructured {
	t.Helper()
	return c.awaitEvent(t, typ, kind, ns, name).Object
}

func (c collector) awaitEvent(t *testing.T, typ watcher.EventType, kind, ns, name string) watcher.Event {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case ev, ok := <-c.ch:
			if !ok {
				t.Fatalf("stream closed before %v %s %s/%s", typ, kind, ns, name)
			}
			if ev.Type == typ && (typ == watcher.Synced ||
				(ev.Resource.Kind == kind && ev.Object.GetNamespace() == ns && ev.Object.GetName() == name)) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %v event for %s %s/%s", typ, kind, ns, name)
		}
	}
}

func startWatcher(t *testing.T, want func(watcher.Resource) bool) (*watcher.Watcher, collector) {
	t.Helper()
	w, err := watcher.New(cluster.Config, watcher.Options{Want: want})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		for range w.Events() { //nolint:revive // drain until closed
		}
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return w, collector{ch: w.Events()}
}

func TestWatchCreateUpdateDelete(t *testing.T) {
	ns := cluster.Namespace(t, "watch")
	cs := cluster.Clientset(t)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "before-start", Namespace: ns}, Data: map[string]string{"a": "1"}}
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w, c := startWatcher(t, func(r watcher.Resource) bool { return r.Kind == "ConfigMap" })
	c.await(t, watcher.Upsert, "ConfigMap", ns, "before-start")
	c.await(t, watcher.Synced, "", "", "")
	if got := w.Watched(); len(got) != 1 || got[0].Kind != "ConfigMap" {
		t.Fatalf("watched = %v, want only ConfigMap", got)
	}

	cm.Name = "after-start"
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.await(t, watcher.Upsert, "ConfigMap", ns, "after-start")

	cm.Data["a"] = "2"
	if _, err := cs.CoreV1().ConfigMaps(ns).Update(t.Context(), cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	ev := c.awaitEvent(t, watcher.Upsert, "ConfigMap", ns, "after-start")
	got := ev.Object
	if v, _, _ := unstructured.NestedString(got.Object, "data", "a"); v != "2" {
		t.Fatalf("updated data.a = %q, want 2", v)
	}
	if ev.Received.IsZero() {
		t.Error("event has no receipt time")
	}
	// Raw is the object as cached: it decodes to what the event carries.
	fromRaw, err := watcher.Decode(ev.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if !equality.Semantic.DeepEqual(fromRaw.Object, got.Object) {
		t.Fatalf("Raw decodes to\n%v\nwant\n%v", fromRaw.Object, got.Object)
	}
	got.SetLabels(map[string]string{"changed": "by-consumer"}) // the event's own copy
	if mfs := got.GetManagedFields(); len(mfs) == 0 || mfs[0].FieldsV1 != nil {
		t.Fatalf("managedFields should be kept without field sets, got %+v", mfs)
	}
	if a := watcher.LastChange(got); a == nil || a.Operation != "Update" {
		t.Fatalf("attribution = %+v, want an Update by the test client", a)
	}

	if err := cs.CoreV1().ConfigMaps(ns).Delete(t.Context(), "after-start", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	gone := c.await(t, watcher.Delete, "ConfigMap", ns, "after-start")
	if gone.GetLabels()["changed"] != "" {
		t.Fatal("a consumer's change to an event's object reached the cache")
	}
}

func TestCRDAddedAndRemovedWhileRunning(t *testing.T) {
	ns := cluster.Namespace(t, "crd")
	_, c := startWatcher(t, func(r watcher.Resource) bool { return r.GVR.Group == "widgets.example.com" })
	c.await(t, watcher.Synced, "", "", "")

	ext := apiextensionsclient.NewForConfigOrDie(cluster.Config)
	crd := testcluster.CRD("widgets.example.com", "Widget")
	if _, err := ext.ApiextensionsV1().CustomResourceDefinitions().Create(t.Context(), crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	gvr := schema.GroupVersionResource{Group: "widgets.example.com", Version: "v1", Resource: "widgets"}
	dyn := dynamic.NewForConfigOrDie(cluster.Config)
	w := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "widgets.example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "sprocket", "namespace": ns},
		"spec":     map[string]any{"size": int64(3)},
	}}
	// The CRD needs a moment to be served; retry the create until it is.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := dyn.Resource(gvr).Namespace(ns).Create(t.Context(), w, metav1.CreateOptions{})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("create widget: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	c.await(t, watcher.Upsert, "Widget", ns, "sprocket")

	if err := ext.ApiextensionsV1().CustomResourceDefinitions().Delete(t.Context(), crd.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	c.await(t, watcher.Delete, "Widget", ns, "sprocket")
}
