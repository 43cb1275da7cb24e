package record_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

// churnKinds are the kinds a drill records on top of its own so that the
// recorder sees the workload churn: the parents, recorded, and the
// children the controllers make (ReplicaSets, Pods, Jobs of the CronJob),
// filtered as owned.
var churnKinds = []string{"Deployment.apps", "CronJob.batch", "Job.batch", "ReplicaSet.apps", "Pod"}

// churnObjects is how many recorded objects the churn keeps in its
// namespace: its Deployment and its CronJob.
const churnObjects = 2

// churnStep is how often the churn changes the workload; a step's
// requests may take up to churnRequestTimeout on a loaded machine.
const (
	churnStep           = 2 * time.Second
	churnRequestTimeout = 15 * time.Second
	// minChurnSteps is how many steps must succeed before the churn stops.
	minChurnSteps = 3
)

// withChurn is kinds plus churnKinds, each once.
func withChurn(kinds ...string) []string {
	out := slices.Clone(kinds)
	for _, k := range churnKinds {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// churn is a workload that keeps the controllers busy in a namespace, as
// on a live cluster: a Deployment scaled up and down and rolled, a CronJob
// running every minute and Jobs started from it, so that pods come and go
// while a drill runs. Its changes go through the package's kube-apiserver;
// while a fault makes them fail they are skipped.
type churn struct {
	cs   kubernetes.Interface
	ns   string
	cron *batchv1.CronJob
	quit chan struct{}
	done chan struct{}

	mu            sync.Mutex
	steps, failed int
	last          error
}

// startChurn creates the workload in ns and changes it every churnStep
// until stop (or the end of the test).
func startChurn(t *testing.T, cs kubernetes.Interface, ns string) *churn {
	t.Helper()
	c := &churn{cs: cs, ns: ns, quit: make(chan struct{}), done: make(chan struct{})}
	testcluster.CreateDeployment(t, cs, ns, "churn")
	cron, err := cs.BatchV1().CronJobs(ns).Create(t.Context(), &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "churn"},
		Spec: batchv1.CronJobSpec{
			Schedule:                   "* * * * *",
			SuccessfulJobsHistoryLimit: ptr.To[int32](1),
			FailedJobsHistoryLimit:     ptr.To[int32](1),
			JobTemplate:                batchv1.JobTemplateSpec{Spec: churnJobSpec()},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("churn: create cronjob: %v", err)
	}
	c.cron = cron
	go c.run()
	t.Cleanup(c.halt)
	return c
}

// churnJobSpec is a Job whose one pod kwok completes at once, removed a
// few seconds after it finished.
func churnJobSpec() batchv1.JobSpec {
	return batchv1.JobSpec{
		BackoffLimit:            ptr.To[int32](0),
		TTLSecondsAfterFinished: ptr.To[int32](5),
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers:    []corev1.Container{{Name: "tick", Image: "registry.example/tick:1"}},
		}},
	}
}

func (c *churn) run() {
	defer close(c.done)
	tick := time.NewTicker(churnStep)
	defer tick.Stop()
	for i := 1; ; i++ {
		select {
		case <-c.quit:
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), churnRequestTimeout)
		err := c.step(ctx, i)
		cancel()
		c.mu.Lock()
		c.steps++
		if err != nil {
			c.failed++
			c.last = err
		}
		c.mu.Unlock()
	}
}

// step scales the Deployment (1 to 4 replicas), rolls it every third
// step, and starts a Job from the CronJob (owned by it, as `kubectl create
// job --from=cronjob/…` does).
func (c *churn) step(ctx context.Context, i int) error {
	patch := fmt.Sprintf(`{"spec":{"replicas":%d}}`, 1+i%4)
	if i%3 == 0 {
		patch = fmt.Sprintf(`{"spec":{"replicas":%d,"template":{"metadata":{"annotations":{"churn/step":"%d"}}}}}`, 1+i%4, i)
	}
	if _, err := c.cs.AppsV1().Deployments(c.ns).Patch(ctx, "churn", types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("patch deployment: %w", err)
	}
	return c.startJob(ctx, "churn-manual-"+strconv.Itoa(i))
}

// startJob creates a Job of the CronJob.
func (c *churn) startJob(ctx context.Context, name string) error {
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{
			Name:            name,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(c.cron, batchv1.SchemeGroupVersion.WithKind("CronJob"))},
		},
		Spec: churnJobSpec(),
	}
	if _, err := c.cs.BatchV1().Jobs(c.ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create job %s: %w", name, err)
	}
	return nil
}

// halt stops the changes and waits for the loop to end.
func (c *churn) halt() {
	select {
	case <-c.quit:
	default:
		close(c.quit)
	}
	<-c.done
}

// stop ends the changes and checks that the controllers kept up through
// the drill: steps succeeded, the Deployment is rolled out on kwok Nodes,
// a Job of the CronJob completed.
func (c *churn) stop(t *testing.T) {
	t.Helper()
	// A short drill still sees the workload change a few times.
	testcluster.Eventually(t, fmt.Sprintf("%d churn steps that succeeded", minChurnSteps), func(context.Context) (bool, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.steps-c.failed < minChurnSteps {
			if c.last != nil {
				return false, fmt.Errorf("%d steps so far, %d failed, the last with: %w", c.steps, c.failed, c.last)
			}
			return false, fmt.Errorf("%d steps so far", c.steps)
		}
		return true, nil
	})
	c.halt()
	c.mu.Lock()
	steps, failed, last := c.steps, c.failed, c.last
	c.mu.Unlock()
	t.Logf("churn: %d steps, %d failed (last error: %v)", steps, failed, last)
	testcluster.Eventually(t, "the churned Deployment rolled out", func(ctx context.Context) (bool, error) {
		d, err := c.cs.AppsV1().Deployments(c.ns).Get(ctx, "churn", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		want := ptr.Deref(d.Spec.Replicas, 1)
		if s := d.Status; s.ObservedGeneration != d.Generation || s.UpdatedReplicas != want || s.AvailableReplicas != want || s.Replicas != want {
			return false, fmt.Errorf("generation %d, status %+v", d.Generation, s)
		}
		return true, nil
	})
	// A last Job, after the fault: it completes (kwok) and its TTL removes it.
	if err := c.startJob(t.Context(), "churn-last"); err != nil {
		t.Fatalf("churn: %v", err)
	}
	testcluster.Eventually(t, "the churn's last Job completed", func(ctx context.Context) (bool, error) {
		j, err := c.cs.BatchV1().Jobs(c.ns).Get(ctx, "churn-last", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil // only a finished Job is removed by its TTL
		}
		if err != nil {
			return false, err
		}
		if j.Status.Succeeded == 0 {
			return false, fmt.Errorf("status %+v", j.Status)
		}
		return true, nil
	})
}

// requireQuiet checks that the controllers' churn of statuses and owned
// children creates no commits. The branch of repo must equal the cluster
// when it is called (a treecheck just passed, the churn stopped): one
// ConfigMap of ns is then changed, and once its commit is on the branch it
// must be the only commit since, touching that one file.
func requireQuiet(t *testing.T, cs kubernetes.Interface, ns, repo string, alive func() error) {
	t.Helper()
	before := tip(repo)
	setValue(t, cs, ns, "quiet", 1)
	path := nsPath(ns, "", "configmaps", "quiet")
	deadline := time.Now().Add(patience)
	for {
		if _, err := gitTry(repo, "cat-file", "-e", branchRef+":"+path); err == nil {
			break
		}
		if err := alive(); err != nil {
			t.Fatalf("waiting for the commit of %s: %v", path, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not committed within %s", path, patience)
		}
		time.Sleep(100 * time.Millisecond)
	}
	commits := gitOut(t, repo, "rev-list", "--count", before+".."+branchRef)
	files := gitOut(t, repo, "diff", "--name-only", before, branchRef)
	if strings.TrimSpace(commits) != "1" || strings.TrimSpace(files) != path {
		t.Errorf("%s commits after the branch equaled the cluster, changing %q; want one, changing %s only (status churn must not commit):\n%s",
			strings.TrimSpace(commits), files, path, gitOut(t, repo, "log", "--stat", before+".."+branchRef))
	}
}
