package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// TestNoKubeconfigFailsAtOnce runs the real binary as a user would on a
// machine without any cluster configuration: record and run must exit
// non-zero on their own, with a message that names every source kubectl
// consults, and never reach for client-go's default of localhost:8080 (run
// once served its own endpoints there and talked to itself).
func TestNoKubeconfigFailsAtOnce(t *testing.T) {
	bin := testkit.CLI(t)
	home := t.TempDir()
	config := filepath.Join(home, "config.yaml")
	if err := os.WriteFile(config, []byte("apiVersion: clusterscribe.io/v1alpha1\nkind: Config\nrecord:\n  repo: "+filepath.Join(home, "backup")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "HOME", "KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT":
		default:
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+home)
	tests := []struct {
		name string
		args []string
		env  []string
		want []string
	}{
		{
			"record",
			[]string{"record", "--repo", filepath.Join(home, "backup")},
			nil,
			[]string{"--kubeconfig (not given)", "$KUBECONFIG (not set)", filepath.Join(home, ".kube", "config") + " (no such file)", "in-cluster config"},
		},
		{
			"run",
			[]string{"run", "--config", config},
			nil,
			[]string{"--kubeconfig (not given)", "$KUBECONFIG (not set)", filepath.Join(home, ".kube", "config") + " (no such file)", "in-cluster config"},
		},
		{
			"record with KUBECONFIG naming missing files",
			[]string{"record", "--repo", filepath.Join(home, "backup")},
			[]string{"KUBECONFIG=" + filepath.Join(home, "a") + ":" + filepath.Join(home, "b")},
			[]string{"$KUBECONFIG " + filepath.Join(home, "a") + ":" + filepath.Join(home, "b") + " (none of these files exists)", "in-cluster config"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A bound on a hang, not a measure of speed: the command waits
			// for nothing, so it ends long before.
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, tt.args...)
			cmd.Env = append(env, tt.env...)
			cmd.Dir = home
			out, err := cmd.CombinedOutput()
			if ctx.Err() != nil {
				t.Fatalf("%s did not exit: it waits for a cluster it was never given\n%s", tt.name, out)
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Fatalf("%s: %v, want a non-zero exit\n%s", tt.name, err, out)
			}
			msg := string(out)
			for _, w := range append([]string{"no Kubernetes cluster configured"}, tt.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("output lacks %q:\n%s", w, msg)
				}
			}
			if strings.Contains(msg, "8080") {
				t.Errorf("output mentions port 8080: it reached for client-go's default\n%s", msg)
			}
		})
	}
}
