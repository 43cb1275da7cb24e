package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// runOperate runs `clusterscribe run` for a few seconds: it waits until
// the service is ready, changes a ConfigMap, shows the commit that records
// the change and a few metrics, then stops it with SIGTERM.
func runOperate(ctx context.Context, cli, kubeconfig, declared, out string) error {
	repo := filepath.Join(out, "run-backup")
	config := filepath.Join(out, "run-config.yaml")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(runConfig, repo, declared)), 0o644); err != nil {
		return err
	}
	p, err := startRun(ctx, cli, config, kubeconfig, filepath.Join(out, "run.log"))
	if err != nil {
		return err
	}
	defer p.kill()
	fmt.Printf("    config: %s   logs: %s\n", config, p.logFile)

	addr, err := p.waitReady()
	if err != nil {
		return err
	}
	fmt.Printf("    leader, initial snapshot committed, ready: http://%s/readyz\n", addr)
	if err := p.changeAndWaitForCommit(ctx, kubeconfig, repo); err != nil {
		return err
	}
	if err := showLog(repo); err != nil {
		return err
	}
	// Let the audit the change triggered finish, then show the metrics.
	time.Sleep(3 * time.Second)
	printMetrics(addr)
	if err := p.stop(); err != nil {
		return err
	}
	fmt.Println("    SIGTERM: pending changes committed, lease released, exited 0")
	return nil
}

// runConfig is the demo's configuration file for `clusterscribe run`:
// the backup repository and the declared repository go in.
const runConfig = `apiVersion: clusterscribe.io/v1alpha1
kind: Config
cluster-name: demo
record:
  repo: %s
  batch-window: 1s
audit:
  declared: %s
  min-interval: 2s
policies:
  bundled-policies: true
leader-election:
  lease-namespace: default
server:
  address: 127.0.0.1:0
`

// runProcess is a running `clusterscribe run` whose logs go to logFile.
type runProcess struct {
	cmd     *exec.Cmd
	logFile string
	exited  chan struct{}
	exitErr error
}

func startRun(ctx context.Context, cli, config, kubeconfig, logFile string) (*runProcess, error) {
	logs, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	p := &runProcess{logFile: logFile, exited: make(chan struct{})}
	p.cmd = exec.CommandContext(ctx, cli, "run", "--config", config, "--kubeconfig", kubeconfig, "--log-format", "json")
	p.cmd.Stdout, p.cmd.Stderr = logs, logs
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		_ = logs.Close()
		return nil, err
	}
	go func() {
		p.exitErr = p.cmd.Wait()
		_ = logs.Close()
		close(p.exited)
	}()
	return p, nil
}

// waitFor polls cond every 200ms until it holds, the process exits (and
// its error says how) or limit passes.
func (p *runProcess) waitFor(limit time.Duration, cond func() (string, bool)) (string, error) {
	deadline := time.Now().Add(limit)
	for {
		if v, ok := cond(); ok {
			return v, nil
		}
		select {
		case <-p.exited:
			return "", fmt.Errorf("clusterscribe run exited: %w", p.exitErr)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return "", errors.New("timed out")
		}
	}
}

// waitReady waits for the endpoints and for /readyz, and returns the
// endpoints' address.
func (p *runProcess) waitReady() (string, error) {
	addr, err := p.waitFor(20*time.Second, func() (string, bool) {
		return logged(p.logFile, "serving /healthz, /readyz and /metrics", "address")
	})
	if err != nil {
		return "", fmt.Errorf("endpoints: %w (see %s)", err, p.logFile)
	}
	if _, err := p.waitFor(30*time.Second, func() (string, bool) {
		code, _ := httpGet("http://" + addr + "/readyz")
		return "", code == http.StatusOK
	}); err != nil {
		return "", fmt.Errorf("readiness: %w (see %s)", err, p.logFile)
	}
	return addr, nil
}

// changeAndWaitForCommit changes a ConfigMap as an on-call engineer would
// and waits until the backup branch holds the change.
func (p *runProcess) changeAndWaitForCommit(ctx context.Context, kubeconfig, repo string) error {
	restCfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		return err
	}
	patch := []byte(`{"data":{"LOG_LEVEL":"debug"}}`)
	if _, err := cs.CoreV1().ConfigMaps("shop").Patch(ctx, "storefront-config", types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "sre-on-call"}); err != nil {
		return fmt.Errorf("change the cluster: %w", err)
	}
	fmt.Println("    changed: ConfigMap shop/storefront-config LOG_LEVEL=debug (as field manager sre-on-call)")
	file := "demo/namespaces/shop/core/configmaps/storefront-config.yaml"
	if _, err := p.waitFor(20*time.Second, func() (string, bool) {
		data, err := exec.Command("git", "-C", repo, "show", "clusterscribe/backup:"+file).Output()
		return "", err == nil && strings.Contains(string(data), "LOG_LEVEL: debug")
	}); err != nil {
		return fmt.Errorf("the change was not committed: %w (see %s)", err, p.logFile)
	}
	return nil
}

// stop sends SIGTERM and waits for a clean exit.
func (p *runProcess) stop() error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-p.exited:
		if p.exitErr != nil {
			return fmt.Errorf("clusterscribe run: %w (see %s)", p.exitErr, p.logFile)
		}
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("clusterscribe run did not stop after SIGTERM (see %s)", p.logFile)
	}
}

// kill ends the process if it still runs.
func (p *runProcess) kill() {
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// demoMetrics are the lines of /metrics the demo shows.
var demoMetrics = []string{
	"clusterscribe_commits_total", "clusterscribe_events_total", `clusterscribe_watched_objects{kind="ConfigMap"}`,
	`clusterscribe_watched_objects{kind="Deployment.apps"}`, "clusterscribe_drift_findings", `clusterscribe_policy_violations{severity="critical"}`,
	`clusterscribe_policy_violations{severity="high"}`, "clusterscribe_audit_duration_seconds_count", "clusterscribe_audits_total",
	`clusterscribe_api_requests_total{code="200",method="GET"}`, "clusterscribe_leader ",
}

func printMetrics(addr string) {
	_, body := httpGet("http://" + addr + "/metrics")
	fmt.Println("    metrics (excerpt):")
	for _, line := range strings.Split(body, "\n") {
		for _, prefix := range demoMetrics {
			if strings.HasPrefix(line, prefix) {
				fmt.Println("     ", line)
			}
		}
	}
}

// logged finds the first JSON log record with this message and returns
// one of its attributes.
func logged(file, msg, attr string) (string, bool) {
	f, err := os.Open(file)
	if err != nil {
		return "", false
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == msg {
			v, ok := rec[attr].(string)
			return v, ok
		}
	}
	return "", false
}

func httpGet(url string) (int, string) {
	resp, err := http.Get(url) //nolint:noctx // a local endpoint, polled with a deadline
	if err != nil {
		return 0, ""
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
