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
	cfg := fmt.Sprintf(`apiVersion: clusterscribe.io/v1alpha1
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
`, repo, declared)
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		return err
	}
	logFile := filepath.Join(out, "run.log")
	logs, err := os.Create(logFile)
	if err != nil {
		return err
	}
	defer func() { _ = logs.Close() }()
	cmd := exec.CommandContext(ctx, cli, "run", "--config", config, "--kubeconfig", kubeconfig, "--log-format", "json")
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	var exitErr error
	go func() {
		exitErr = cmd.Wait()
		close(exited)
	}()
	defer func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	waitFor := func(limit time.Duration, cond func() (string, bool)) (string, error) {
		return waitUntil(limit, exited, func() error { return exitErr }, cond)
	}
	fmt.Printf("    config: %s   logs: %s\n", config, logFile)

	addr, err := waitFor(20*time.Second, func() (string, bool) { return logged(logFile, "serving /healthz, /readyz and /metrics", "address") })
	if err != nil {
		return fmt.Errorf("endpoints: %w (see %s)", err, logFile)
	}
	if _, err := waitFor(30*time.Second, func() (string, bool) {
		code, _ := httpGet("http://" + addr + "/readyz")
		return "", code == http.StatusOK
	}); err != nil {
		return fmt.Errorf("readiness: %w (see %s)", err, logFile)
	}
	fmt.Printf("    leader, initial snapshot committed, ready: http://%s/readyz\n", addr)

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
	if _, err := waitFor(20*time.Second, func() (string, bool) {
		data, err := exec.Command("git", "-C", repo, "show", "clusterscribe/backup:"+file).Output()
		return "", err == nil && strings.Contains(string(data), "LOG_LEVEL: debug")
	}); err != nil {
		return fmt.Errorf("the change was not committed: %w (see %s)", err, logFile)
	}
	if err := showLog(repo); err != nil {
		return err
	}
	// Let the audit the change triggered finish, then show the metrics.
	time.Sleep(3 * time.Second)
	_, body := httpGet("http://" + addr + "/metrics")
	fmt.Println("    metrics (excerpt):")
	for _, line := range strings.Split(body, "\n") {
		for _, prefix := range []string{
			"clusterscribe_commits_total", "clusterscribe_events_total", `clusterscribe_watched_objects{kind="ConfigMap"}`,
			`clusterscribe_watched_objects{kind="Deployment.apps"}`, "clusterscribe_drift_findings", `clusterscribe_policy_violations{severity="critical"}`,
			`clusterscribe_policy_violations{severity="high"}`, "clusterscribe_audit_duration_seconds_count", "clusterscribe_audits_total",
			`clusterscribe_api_requests_total{code="200",method="GET"}`, "clusterscribe_leader ",
		} {
			if strings.HasPrefix(line, prefix) {
				fmt.Println("     ", line)
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-exited:
		if exitErr != nil {
			return fmt.Errorf("clusterscribe run: %w (see %s)", exitErr, logFile)
		}
	case <-time.After(30 * time.Second):
		return fmt.Errorf("clusterscribe run did not stop after SIGTERM (see %s)", logFile)
	}
	fmt.Println("    SIGTERM: pending changes committed, lease released, exited 0")
	return nil
}

// waitUntil polls cond every 200ms until it holds, the process exits (and
// exitErr says how), or the time is up.
func waitUntil(limit time.Duration, exited <-chan struct{}, exitErr func() error, cond func() (string, bool)) (string, error) {
	deadline := time.Now().Add(limit)
	for {
		if v, ok := cond(); ok {
			return v, nil
		}
		select {
		case <-exited:
			return "", fmt.Errorf("clusterscribe run exited: %w", exitErr())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return "", errors.New("timed out")
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
