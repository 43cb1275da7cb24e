package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/clusterscribe/clusterscribe/serializer"
)

// churner changes objects at a fixed rate.
type churner struct {
	cs      kubernetes.Interface
	cluster string
	n       int // seeded objects
	seq     atomic.Int64
}

// configMapIndex returns the k of the i-th ConfigMap (k % 5 is 0 or 1).
func configMapIndex(i, n int) int {
	cms := n / 5 * 2
	i %= max(cms, 1)
	return i/2*5 + i%2
}

// realChange gives ConfigMap i a new value: a change that must be committed.
func (c *churner) realChange(ctx context.Context, i int, rec *liveRecorder) error {
	k := configMapIndex(i, c.n)
	ns, name := nsName(k), fmt.Sprintf("cm-%06d", k)
	rev := c.seq.Add(1)
	patch := fmt.Appendf(nil, `{"data":{"rev":"%d"}}`, rev)
	if _, err := c.cs.CoreV1().ConfigMaps(ns).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("patch configmap %s/%s: %w", ns, name, err)
	}
	if rec != nil {
		rec.changed(serializer.ObjectPath(serializer.ObjectRef{Cluster: c.cluster, Resource: "configmaps", Namespace: ns, Name: name}), time.Now())
	}
	return nil
}

// noiseChange is a status-only update of a Deployment or a replica change
// of a Deployment an HPA scales: neither may produce a commit.
func (c *churner) noiseChange(ctx context.Context, i int) error {
	rev := int32(c.seq.Add(1))
	if i%2 == 0 {
		k := (i/2%hpas)*5 + 3 // a Deployment with an HPA
		ns, name := nsName(k), fmt.Sprintf("deploy-%06d", k)
		scale := &autoscalingv1.Scale{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec:       autoscalingv1.ScaleSpec{Replicas: 2 + rev%5},
		}
		if _, err := c.cs.AppsV1().Deployments(ns).UpdateScale(ctx, name, scale, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("scale deployment %s/%s: %w", ns, name, err)
		}
		return nil
	}
	deployments := max(c.n/5, 1)
	k := (i/2%deployments)*5 + 3
	ns, name := nsName(k), fmt.Sprintf("deploy-%06d", k)
	patch := fmt.Appendf(nil, `{"status":{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"readyReplicas":%d,"availableReplicas":%d}}`, rev%3, rev%3)
	if _, err := c.cs.AppsV1().Deployments(ns).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}, "status"); err != nil {
		return fmt.Errorf("status of deployment %s/%s: %w", ns, name, err)
	}
	return nil
}

// paced calls change(i) for i in [0, total) at rate per second with a few
// workers, and returns the rate achieved.
func paced(ctx context.Context, rate float64, total int, change func(context.Context, int) error) (float64, error) {
	const workers = 8
	jobs := make(chan int, workers)
	var wg sync.WaitGroup
	var firstErr atomic.Pointer[error]
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				if err := change(ctx, i); err != nil {
					firstErr.CompareAndSwap(nil, &err)
				}
			}
		})
	}
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	next := start
	for i := 0; i < total && firstErr.Load() == nil && ctx.Err() == nil; i++ {
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
		next = next.Add(interval)
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	achieved := float64(total) / time.Since(start).Seconds()
	if p := firstErr.Load(); p != nil {
		return achieved, *p
	}
	return achieved, ctx.Err()
}
