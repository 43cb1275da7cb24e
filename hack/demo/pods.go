package main

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

// waitForPods waits until every seeded Deployment's replicas run on the
// kwok nodes, and prints them, so that the recording that follows sees a
// cluster whose controllers have settled (ReplicaSets, Pods, statuses).
func waitForPods(ctx context.Context, cluster *testcluster.Cluster, objs []*unstructuredObj) error {
	want := int64(0)
	for _, o := range objs {
		if o.GetKind() != "Deployment" {
			continue
		}
		replicas, found, _ := unstructured.NestedInt64(o.Object, "spec", "replicas")
		if !found {
			replicas = 1
		}
		want += replicas
	}
	cs, err := kubernetes.NewForConfig(cluster.Config)
	if err != nil {
		return fmt.Errorf("wait for pods: %w", err)
	}
	var running []corev1.Pod
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		pods, err := cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil //nolint:nilerr // a passing error: poll again
		}
		running = running[:0]
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning {
				running = append(running, p)
			}
		}
		return int64(len(running)) >= want, nil
	})
	if err != nil {
		return fmt.Errorf("wait for %d pods of the seeded Deployments to run: %w (see control-plane.log)", want, err)
	}
	fmt.Printf("   %d pods running:\n", len(running))
	for _, p := range running {
		fmt.Printf("     %s/%s on %s (%s)\n", p.Namespace, p.Name, p.Spec.NodeName, p.Status.PodIP)
	}
	return nil
}
