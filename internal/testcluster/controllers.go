package testcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// The binaries and files a control plane with controllers needs on top of
// kube-apiserver and etcd; `make testbin` builds them into AssetsDir.
const (
	controllerManagerBinary = "kube-controller-manager"
	schedulerBinary         = "kube-scheduler"
	kwokBinary              = "kwok"
	kubectlBinary           = "kubectl"
	// KwokStagesFile holds kwok's Stage objects: node initialization,
	// heartbeats with leases, and pods that run (kwok's kustomize/stage).
	KwokStagesFile = "kwok-stages.yaml"
)

// KwokNodeAnnotation marks the Nodes kwok manages: Nodes created with it
// become Ready, heartbeat, and run the pods scheduled on them.
const KwokNodeAnnotation = "kwok.x-k8s.io/node"

// controllersSettleTimeout bounds the wait for Nodes to be Ready and the
// default ServiceAccount to exist after the controllers start.
const controllersSettleTimeout = 2 * time.Minute

// CheckControllerBinaries is CheckBinaries for a control plane with
// controllers: kube-controller-manager, kube-scheduler, kwok and its stages.
func CheckControllerBinaries(dir string) error {
	if err := CheckBinaries(dir); err != nil {
		return err
	}
	for _, name := range []string{controllerManagerBinary, schedulerBinary, kwokBinary, kubectlBinary, KwokStagesFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("%w: %s not found in %s; build it with `make testbin` "+
				"(a few minutes once, cached outside the work tree) or point KUBEBUILDER_ASSETS at a directory holding it",
				ErrBinariesMissing, name, dir)
		}
	}
	return nil
}

// Kubectl is the path of the kubectl built with the control plane (same
// Kubernetes version), for tests that apply manifests the way users do.
func Kubectl() (string, error) {
	path := filepath.Join(AssetsDir(), kubectlBinary)
	if _, err := exec.LookPath(path); err != nil {
		return "", fmt.Errorf("%w: %s; build it with `make testbin`", ErrBinariesMissing, path)
	}
	return path, nil
}

// startControllers starts kube-controller-manager, kube-scheduler and
// kwok against the running kube-apiserver, creates opts.Nodes kwok Nodes
// and waits until they are Ready and the default ServiceAccount exists.
func (c *Cluster) startControllers(opts Options) error {
	dir := AssetsDir()
	work, err := os.MkdirTemp("", "testcluster-controllers-")
	if err != nil {
		return fmt.Errorf("start controllers: %w", err)
	}
	c.controllersDir = work
	kubeconfig := filepath.Join(work, "kubeconfig")
	if err := c.WriteKubeconfig(kubeconfig); err != nil {
		return fmt.Errorf("start controllers: %w", err)
	}
	rootCA := filepath.Join(work, "ca.crt")
	if err := os.WriteFile(rootCA, c.Config.CAData, 0o600); err != nil {
		return fmt.Errorf("start controllers: write root CA: %w", err)
	}
	out := opts.Output
	if out == nil {
		out = io.Discard
	}
	saKey := filepath.Join(c.env.ControlPlane.APIServer.CertDir, "sa-signer.key")
	children := []struct {
		name string
		args []string
	}{
		{controllerManagerBinary, []string{
			"--kubeconfig=" + kubeconfig, "--controllers=*", "--leader-elect=false", "--secure-port=0",
			"--service-account-private-key-file=" + saKey, "--root-ca-file=" + rootCA,
			"--use-service-account-credentials=false",
		}},
		{schedulerBinary, []string{"--kubeconfig=" + kubeconfig, "--leader-elect=false", "--secure-port=0"}},
		{kwokBinary, []string{
			"--kubeconfig=" + kubeconfig, "--config=" + filepath.Join(dir, KwokStagesFile),
			"--manage-all-nodes=false", "--manage-nodes-with-annotation-selector=" + KwokNodeAnnotation + "=fake",
			"--node-lease-duration-seconds=40",
		}},
	}
	for _, child := range children {
		p, err := startChild(child.name, filepath.Join(dir, child.name), child.args, out, out)
		if err != nil {
			return fmt.Errorf("start controllers: %w", err)
		}
		c.controllers = append(c.controllers, p)
	}
	return c.settleControllers(opts.Nodes)
}

// settleControllers creates the kwok Nodes and waits for the cluster to
// behave like a real one: Nodes Ready, default ServiceAccount present.
func (c *Cluster) settleControllers(nodes int) error {
	cs, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		return fmt.Errorf("start controllers: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), controllersSettleTimeout)
	defer cancel()
	for i := range nodes {
		if err := createKwokNode(ctx, cs, "kwok-node-"+strconv.Itoa(i)); err != nil {
			return fmt.Errorf("start controllers: %w", err)
		}
	}
	err = wait.PollUntilContextCancel(ctx, 250*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		if err := c.controllersRunning(); err != nil {
			return false, err
		}
		if _, err := cs.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{}); err != nil {
			return false, nil //nolint:nilerr // not there yet: poll again
		}
		list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil //nolint:nilerr // a passing error: poll again
		}
		ready := 0
		for i := range list.Items {
			if nodeReady(&list.Items[i]) {
				ready++
			}
		}
		return ready >= nodes, nil
	})
	if err != nil {
		return fmt.Errorf("controllers did not settle within %s (Nodes Ready, default ServiceAccount): %w", controllersSettleTimeout, err)
	}
	return nil
}

// ControllersRunning fails when kube-controller-manager, kube-scheduler
// or kwok exited: a test that faults the control plane checks with it
// that they outlived the fault.
func (c *Cluster) ControllersRunning() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.controllersRunning()
}

// controllersRunning fails when one of the controller processes exited.
func (c *Cluster) controllersRunning() error {
	for _, p := range c.controllers {
		if done, err := p.Exited(); done {
			return fmt.Errorf("%s exited: %w (its log is in the control plane's Output)", p.name, err)
		}
	}
	return nil
}

// createKwokNode creates a Node kwok manages (it fills in the status).
func createKwokNode(ctx context.Context, cs kubernetes.Interface, name string) error {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{
		Name:        name,
		Annotations: map[string]string{KwokNodeAnnotation: "fake"},
		Labels: map[string]string{
			"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
			"type": "kwok",
		},
	}}
	if _, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create node %s: %w", name, err)
	}
	return nil
}

func nodeReady(n *corev1.Node) bool {
	for _, cond := range n.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}

// stopControllers kills the controllers (before kube-apiserver goes) and
// removes their working directory.
func (c *Cluster) stopControllers() error {
	var errs []error
	for _, p := range c.controllers {
		errs = append(errs, p.kill())
	}
	c.controllers = nil
	if c.controllersDir != "" {
		errs = append(errs, os.RemoveAll(c.controllersDir))
		c.controllersDir = ""
	}
	return errors.Join(errs...)
}
