// Package testcluster starts a real kube-apiserver and etcd with
// controller-runtime's envtest, for the tests of every package and for the
// local demo. The binaries are built from source by `make testbin`; when they
// are missing, Start fails and says which command builds them.
package testcluster

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/toolcache"
	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// ServiceClusterIPRange is where the test control plane allocates Service
// ClusterIPs: a loopback range, so that kube-apiserver's calls to admission
// webhooks, CRD conversion webhooks and aggregated APIs backed by a
// Service (which it dials at the ClusterIP) are refused on this machine at
// once instead of leaving it (envtest's default, 10.0.0.0/24, is routed off
// the machine). No test has a real backend behind a Service.
const ServiceClusterIPRange = "127.0.224.0/20"

// Versions of the control plane built by `make testbin`.
const (
	KubernetesVersion = "v1.36.3"
	EtcdVersion       = "v3.6.16"
)

var ctrlLogOnce sync.Once

// ErrBinariesMissing means kube-apiserver or etcd is not where it should be.
var ErrBinariesMissing = errors.New("control plane binaries missing")

// AssetsDir is where the control plane binaries are looked up:
// $KUBEBUILDER_ASSETS, else the cache directory `make testbin` builds into.
func AssetsDir() string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	return toolcache.Dir("testbin", KubernetesVersion+"-"+EtcdVersion)
}

// CheckBinaries returns ErrBinariesMissing, with the command that builds
// them, when kube-apiserver or etcd is absent from dir.
func CheckBinaries(dir string) error {
	for _, name := range []string{"kube-apiserver", "etcd"} {
		if _, err := exec.LookPath(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("%w: %s not found in %s; build them with `make testbin` "+
				"(about 6 minutes once, cached outside the work tree) or point KUBEBUILDER_ASSETS at them",
				ErrBinariesMissing, name, dir)
		}
	}
	return nil
}

// Cluster is a running control plane.
type Cluster struct {
	env *envtest.Environment
	// The kube-apiservers started after envtest's was killed (restart.go).
	mu        sync.Mutex
	apiArgs   []string
	apiDown   bool
	restarted *childProc
	peers     []*PeerAPIServer
	// kube-controller-manager, kube-scheduler and kwok, when started.
	controllers    []*childProc
	controllersDir string
	// The etcd started after envtest's was killed (etcd.go), and its
	// command line.
	etcd     *childProc
	etcdArgs []string
	// Config is an admin (system:masters) client configuration.
	Config *rest.Config
	// Kubeconfig is the same access as a kubeconfig file's content.
	Kubeconfig []byte
}

// Options tune Start.
type Options struct {
	// Output receives the control plane's own logs; nil discards them.
	Output io.Writer
	// APIServerArgs are extra kube-apiserver flags, e.g. "--audit-log-path=…".
	APIServerArgs map[string]string
	// Controllers also starts kube-controller-manager, kube-scheduler and
	// kwok, and creates Nodes that kwok runs pods on: ReplicaSets and Pods
	// appear, Jobs complete, garbage collection, TTLs and namespace deletion
	// work, default ServiceAccounts exist and statuses churn, as on a real
	// cluster. The ServiceAccount admission plugin is on, as on a real
	// cluster.
	Controllers bool
	// Nodes is how many kwok Nodes to create with Controllers (default 2).
	Nodes int
}

// Start brings up etcd and kube-apiserver from AssetsDir.
func Start(opts Options) (*Cluster, error) {
	dir := AssetsDir()
	check := CheckBinaries
	if opts.Controllers {
		check = CheckControllerBinaries
		if opts.Nodes == 0 {
			opts.Nodes = 2
		}
	}
	if err := check(dir); err != nil {
		return nil, err
	}
	// envtest logs through controller-runtime's logger, which complains
	// with a stack trace when nobody set it; its messages are not needed.
	ctrlLogOnce.Do(func() { ctrllog.SetLogger(logr.Discard()) })
	env := &envtest.Environment{
		BinaryAssetsDirectory:    dir,
		ControlPlaneStartTimeout: 2 * time.Minute,
		ControlPlaneStopTimeout:  30 * time.Second,
	}
	api := env.ControlPlane.GetAPIServer()
	if opts.Output != nil {
		api.Out, api.Err = opts.Output, opts.Output
	}
	if opts.Controllers {
		// envtest turns the ServiceAccount admission plugin off because
		// nothing creates default ServiceAccounts without controllers.
		api.Configure().Set("disable-admission-plugins", "")
	}
	api.Configure().Set("service-cluster-ip-range", ServiceClusterIPRange)
	for k, v := range opts.APIServerArgs {
		api.Configure().Set(k, v)
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("start control plane from %s: %w", dir, err)
	}
	user, err := env.ControlPlane.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		_ = env.Stop()
		return nil, fmt.Errorf("provision admin user: %w", err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		_ = env.Stop()
		return nil, fmt.Errorf("render kubeconfig: %w", err)
	}
	c := &Cluster{env: env, Config: cfg, Kubeconfig: kubeconfig}
	if opts.Controllers {
		if err := c.startControllers(opts); err != nil {
			_ = c.Stop()
			return nil, err
		}
	}
	return c, nil
}

// WriteKubeconfig writes the admin kubeconfig to path (mode 0600).
func (c *Cluster) WriteKubeconfig(path string) error {
	if err := os.WriteFile(path, c.Kubeconfig, 0o600); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return nil
}

// Stop stops kube-apiserver and etcd and removes their data.
func (c *Cluster) Stop() error {
	// The kube-apiservers started after a kill go first: envtest knows only
	// its own.
	started := errors.Join(c.stopControllers(), c.stopAPIServers())
	err := c.env.Stop()
	if c.etcd != nil {
		// envtest stopped kube-apiserver; the restarted etcd is ours.
		started = errors.Join(started, c.etcd.kill())
		c.etcd = nil
	}
	if err != nil {
		return fmt.Errorf("stop control plane: %w", errors.Join(err, started))
	}
	if started != nil {
		return fmt.Errorf("stop control plane: %w", started)
	}
	return nil
}
