// Command demo runs clusterscribe's capabilities against a local control
// plane seeded with sample workloads, for `make demo` and `make demo-cluster`.
// It leaves no process behind: the control plane is stopped on exit, on
// failure and on Ctrl-C.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/clusterscribe/clusterscribe/internal/kubeapply"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

func main() {
	cli := flag.String("cli", "bin/clusterscribe", "the clusterscribe binary to run")
	out := flag.String("out", "demo-output", "where results are written")
	samples := flag.String("samples", "testdata/demo", "sample workloads (live/) and declared repo (declared/)")
	keep := flag.Bool("keep", false, "keep the control plane running until Ctrl-C and print its kubeconfig")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *cli, *out, *samples, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, cli, out, samples string, keep bool) error {
	out, err := freshDir(out)
	if err != nil {
		return err
	}
	cpLog, err := os.Create(filepath.Join(out, "control-plane.log"))
	if err != nil {
		return err
	}
	defer func() { _ = cpLog.Close() }()

	step("starting a local control plane (kube-apiserver %s + etcd %s, kube-controller-manager, kube-scheduler, 2 kwok nodes)",
		testcluster.KubernetesVersion, testcluster.EtcdVersion)
	cluster, err := testcluster.Start(testcluster.Options{Output: cpLog, Controllers: true})
	if err != nil {
		return err
	}
	defer func() {
		step("stopping the control plane")
		if err := cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "warning:", err)
		}
	}()
	kubeconfig := filepath.Join(out, "kubeconfig")
	if err := cluster.WriteKubeconfig(kubeconfig); err != nil {
		return err
	}
	if err := seed(ctx, cluster, samples); err != nil {
		return err
	}
	if keep {
		fmt.Printf("\nThe control plane is running. Use it with:\n\n  export KUBECONFIG=%s\n  %s record --repo %s --once\n\nCtrl-C stops it.\n",
			kubeconfig, cli, filepath.Join(out, "backup"))
		<-ctx.Done()
		return nil
	}
	return runCapabilities(ctx, cli, kubeconfig, out, samples)
}

// freshDir empties (or creates) out and returns its absolute path.
func freshDir(out string) (string, error) {
	out, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	if err := os.RemoveAll(out); err != nil {
		return "", fmt.Errorf("clean %s: %w", out, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", out, err)
	}
	return out, nil
}

// seed applies the sample workloads, with canary Secret values, and waits
// for their Pods.
func seed(ctx context.Context, cluster *testcluster.Cluster, samples string) error {
	step("seeding sample workloads from %s", filepath.Join(samples, "live"))
	manifests, err := kubeapply.ReadDir(filepath.Join(samples, "live"))
	if err != nil {
		return err
	}
	applier, err := kubeapply.New(cluster.Config, "demo-seed")
	if err != nil {
		return err
	}
	objs := make([]*unstructuredObj, 0, len(manifests))
	for _, m := range manifests {
		objs = append(objs, m.Object)
	}
	planted := plantCanaries(objs)
	if err := applier.ApplyAll(ctx, objs); err != nil {
		return err
	}
	fmt.Printf("   %d objects applied; %d Secret values are canaries, searched for at the end\n", len(objs), planted)
	return waitForPods(ctx, cluster, objs)
}

// runCapabilities runs each capability in turn, searches everything they
// wrote for the canaries and prints where the results are.
func runCapabilities(ctx context.Context, cli, kubeconfig, out, samples string) error {
	results := []result{}
	for _, c := range capabilities(cli, kubeconfig, out, samples) {
		step("%s", c.title)
		if err := c.run(ctx, out); err != nil {
			return fmt.Errorf("%s: %w", c.title, err)
		}
		results = append(results, c.result)
	}
	step("searching everything written to %s for the Secret values (files, logs, every repository's whole history)", out)
	if err := scanOutputs(out); err != nil {
		return err
	}
	fmt.Println("   none found")

	fmt.Println("\nResults:")
	for _, r := range results {
		fmt.Printf("  %-8s %s\n", r.name, r.where)
	}
	fmt.Printf("  %-8s %s\n", "logs", filepath.Join(out, "*.log"))
	return nil
}

func step(format string, args ...any) {
	fmt.Printf("==> "+format+"\n", args...)
}

type result struct{ name, where string }

type capability struct {
	title  string
	result result
	run    func(ctx context.Context, out string) error
}

// runCLI runs the clusterscribe binary, its logs going to logFile and its
// standard output to stdout.
func runCLI(ctx context.Context, cli, logFile string, stdout io.Writer, args ...string) error {
	f, err := os.Create(logFile)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Stdout = stdout
	cmd.Stderr = f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	slog.Debug("run", "args", args)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %v: %w (see %s)", filepath.Base(cli), args[0], err, logFile)
	}
	return nil
}
