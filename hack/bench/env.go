package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/internal/kube"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

// env is the running control plane and the benchmark's own clients.
type env struct {
	cluster    *testcluster.Cluster
	kubeconfig string // clusterscribe's: the audit log names its user
	audit      *auditLog
	cs         kubernetes.Interface
	seeder     *seeder
	seeded     int
	stopOnce   sync.Once
}

// startAlone reads the earlier results a measurement run alone (-only)
// updates, its paths made absolute in c, and starts a fresh control plane
// for it; the caller stops it.
func startAlone(ctx context.Context, c *config) (*results, *env, error) {
	r, err := earlierResultsAbs(c)
	if err != nil {
		return nil, nil, err
	}
	e, err := startEnv(ctx, *c)
	if err != nil {
		return nil, nil, err
	}
	return r, e, nil
}

func startEnv(ctx context.Context, c config) (*env, error) {
	cpLog, err := os.Create(filepath.Join(c.out, "control-plane.log"))
	if err != nil {
		return nil, fmt.Errorf("create control plane log: %w", err)
	}
	policy := filepath.Join(c.out, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o644); err != nil {
		return nil, fmt.Errorf("write audit policy: %w", err)
	}
	auditPath := filepath.Join(c.out, "apiserver-audit.log")
	step("starting a local control plane (kube-apiserver %s + etcd %s)", testcluster.KubernetesVersion, testcluster.EtcdVersion)
	cluster, err := testcluster.Start(testcluster.Options{
		Output: cpLog,
		APIServerArgs: map[string]string{
			// Room for the seeded Services' cluster IPs.
			"service-cluster-ip-range": "10.96.0.0/12",
			// The seeding and churn clients are not what is measured.
			"max-requests-inflight":          "2000",
			"max-mutating-requests-inflight": "1000",
			// Which requests clusterscribe makes, by user.
			"audit-policy-file": policy,
			"audit-log-path":    auditPath,
		},
	})
	if err != nil {
		return nil, err
	}
	e := &env{cluster: cluster, kubeconfig: filepath.Join(c.out, "kubeconfig"), audit: &auditLog{path: auditPath}}
	user, err := cluster.AddUser(recordUser, "system:masters")
	if err != nil {
		e.stop()
		return nil, err
	}
	if err := user.WriteKubeconfig(e.kubeconfig); err != nil {
		e.stop()
		return nil, err
	}
	fast := rest.CopyConfig(cluster.Config)
	fast.QPS, fast.Burst = 5000, 5000
	if e.cs, err = kubernetes.NewForConfig(fast); err != nil {
		e.stop()
		return nil, fmt.Errorf("client: %w", err)
	}
	clients, err := kube.New(fast, kube.Limits{QPS: fast.QPS, Burst: fast.Burst})
	if err != nil {
		e.stop()
		return nil, fmt.Errorf("client: %w", err)
	}
	e.seeder = &seeder{cs: e.cs, dyn: clients.Dynamic, declared: filepath.Join(c.out, "declared")}
	if err := e.seeder.namespaces(ctx); err != nil {
		e.stop()
		return nil, err
	}
	return e, nil
}

// seedTo grows the cluster to n seeded objects.
func (e *env) seedTo(ctx context.Context, n int) error {
	if n <= e.seeded {
		return nil
	}
	start := time.Now()
	if err := e.seeder.seed(ctx, e.seeded, n, 16); err != nil {
		return err
	}
	step("seeded objects %d..%d in %s", e.seeded, n, time.Since(start).Round(time.Second))
	e.seeded = n
	return nil
}

func (e *env) stop() {
	e.stopOnce.Do(func() {
		step("stopping the control plane")
		if err := e.cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "warning:", err)
		}
	})
}
