package testcluster_test

import (
	"context"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

// TestControllersBehaveLikeACluster starts a control plane with
// controllers and checks what the plain one cannot do: a Deployment's pods
// are scheduled onto kwok Nodes and run, a finished Job with a TTL is
// removed, a namespace's default ServiceAccount appears, and a deleted
// namespace is gone with what it held.
func TestControllersBehaveLikeACluster(t *testing.T) {
	c := testcluster.New(t, testcluster.Options{Controllers: true})
	cs := c.Clientset(t)
	ns := c.Namespace(t, "controllers")
	ctx := t.Context()

	testcluster.CreateDeployment(t, cs, ns, "web")
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "once"},
		Spec: batchv1.JobSpec{
			TTLSecondsAfterFinished: ptr.To[int32](0),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyNever,
				Containers:    []corev1.Container{{Name: "once", Image: "busybox:1.36"}},
			}},
		},
	}
	if _, err := cs.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	testcluster.Eventually(t, "the Deployment's 2 pods Running on kwok Nodes", func(ctx context.Context) (bool, error) {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return false, err
		}
		running := 0
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning && p.Spec.NodeName != "" {
				running++
			}
		}
		return running == 2, nil
	})
	testcluster.Eventually(t, "the Deployment available", func(ctx context.Context) (bool, error) {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		return err == nil && d.Status.AvailableReplicas == 2, err
	})
	testcluster.Eventually(t, "the default ServiceAccount of the namespace", func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	testcluster.Eventually(t, "the finished Job removed by its TTL", func(ctx context.Context) (bool, error) {
		_, err := cs.BatchV1().Jobs(ns).Get(ctx, "once", metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})

	if err := cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	testcluster.Eventually(t, "the deleted namespace gone", func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
}
