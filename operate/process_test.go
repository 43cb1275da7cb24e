package operate_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/clusterscribe/clusterscribe/operate"
)

// replica is `clusterscribe run` as a child process.
type replica struct {
	*testkit.Process
	name string
}

// startReplica runs the CLI with the configuration file and extra flags.
func startReplica(t *testing.T, name, kubeconfig, config string, flags ...string) *replica {
	t.Helper()
	args := append([]string{"run", "--config", config, "--kubeconfig", kubeconfig, "--log-format", "json", "--log-level", "debug"}, flags...)
	return &replica{Process: testkit.StartProcess(t, name, binary(t), args...), name: name}
}

// logged returns the JSON log records with this message.
func (r *replica) logged(msg string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(r.Logs.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// waitLogged waits for a log record with this message.
func (r *replica) waitLogged(t *testing.T, msg string) map[string]any {
	t.Helper()
	var rec map[string]any
	eventually(t, r.name+" to log "+strconv.Quote(msg), func() (bool, string) {
		if err := r.Alive(); err != nil {
			t.Fatalf("%v\n%s", err, r.Logs)
		}
		recs := r.logged(msg)
		if len(recs) == 0 {
			return false, "not yet"
		}
		rec = recs[0]
		return true, ""
	})
	return rec
}

func (r *replica) address(t *testing.T) string {
	t.Helper()
	addr, _ := r.waitLogged(t, "serving /healthz, /readyz and /metrics")["address"].(string)
	return addr
}

// setValue creates or updates ConfigMap name with data {"value": v}.
var setValue = testcluster.SetValue

// waitValues waits until the remote holds each ConfigMap with its value.
func waitValues(t *testing.T, remote, ns string, want map[string]int) {
	t.Helper()
	eventually(t, fmt.Sprintf("the remote to hold %v", want), func() (bool, string) {
		for name, v := range want {
			file, ok := show(remote, nsPath(ns, "", "configmaps", name))
			if !ok || !strings.Contains(file, "value: \""+strconv.Itoa(v)+"\"\n") {
				return false, fmt.Sprintf("%s: %q", name, file)
			}
		}
		return true, ""
	})
}

// writeProcessConfig writes a configuration for replicas recording the
// ConfigMaps of ns into remote.
func writeProcessConfig(t *testing.T, ns, remote string, extra string) (config, kubeconfig string) {
	t.Helper()
	dir := t.TempDir()
	kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := cluster.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	config = filepath.Join(dir, "config.yaml")
	data := fmt.Sprintf(`apiVersion: clusterscribe.io/v1alpha1
kind: Config
cluster-name: test
namespaces: [%s]
include-kinds: [ConfigMap]
record:
  repo: file://%s
  batch-window: 300ms
  shutdown-grace: 60s
leader-election:
  lease-namespace: %s
  lease-duration: 4s
  renew-deadline: 3s
  retry-period: 500ms
server:
  address: 127.0.0.1:0
%s`, ns, remote, ns, extra)
	if err := os.WriteFile(config, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return config, kubeconfig
}

// TestFailover runs two replicas of the built CLI. The standby waits while
// the leader records; the leader is SIGKILLed (its lease is not released);
// changes are made while no one leads; the standby takes over. The branch
// then holds every change once: nothing recorded twice, nothing lost, and
// no commit of the standby before the leader died.
func TestFailover(t *testing.T) {
	ns := cluster.Namespace(t, "failover")
	cs := cluster.Clientset(t)
	remote := newBareRemote(t)
	config, kubeconfig := writeProcessConfig(t, ns, remote, "")
	work := t.TempDir()
	setValue(t, cs, ns, "before", 1)

	a := startReplica(t, "replica-a", kubeconfig, config, "--leader-election.identity=replica-a",
		"--record.author-name=replica-a", "--record.workdir="+filepath.Join(work, "a"))
	a.waitLogged(t, "leading")
	waitValues(t, remote, ns, map[string]int{"before": 1})
	b := startReplica(t, "replica-b", kubeconfig, config, "--leader-election.identity=replica-b",
		"--record.author-name=replica-b", "--record.workdir="+filepath.Join(work, "b"))
	if leader := b.waitLogged(t, "standing by")["leader"]; leader != "replica-a" {
		t.Fatalf("replica-b stands by for %v, want replica-a", leader)
	}
	if code, body, err := get(b.address(t), "/readyz"); err != nil || code != http.StatusOK || !strings.Contains(body, "standby") {
		t.Errorf("standby /readyz: %d %q %v", code, body, err)
	}

	setValue(t, cs, ns, "led-by-a", 1)
	setValue(t, cs, ns, "before", 2)
	waitValues(t, remote, ns, map[string]int{"led-by-a": 1, "before": 2})

	a.KillGroup()
	// While no one leads.
	setValue(t, cs, ns, "in-the-gap", 1)
	setValue(t, cs, ns, "led-by-a", 2)

	b.waitLogged(t, "leading")
	waitValues(t, remote, ns, map[string]int{"in-the-gap": 1, "led-by-a": 2})
	setValue(t, cs, ns, "led-by-b", 1)
	waitValues(t, remote, ns, map[string]int{"before": 2, "led-by-a": 2, "in-the-gap": 1, "led-by-b": 1})

	// History, oldest first: "author<TAB>files" per commit.
	out := gitOut(t, remote, "log", "--reverse", "--format=%x00%an", "--name-status", branchRef)
	var authors []string
	adds := map[string]int{}
	touches := map[string]int{}
	for _, commit := range strings.Split(out, "\x00")[1:] {
		lines := strings.Split(strings.TrimSpace(commit), "\n")
		authors = append(authors, lines[0])
		for _, l := range lines[1:] {
			status, path, ok := strings.Cut(strings.TrimSpace(l), "\t")
			if !ok {
				continue
			}
			name := strings.TrimSuffix(filepath.Base(path), ".yaml")
			touches[name]++
			if status == "A" {
				adds[name]++
			}
		}
	}
	switched := false
	for i, au := range authors {
		switch {
		case au == "replica-b":
			switched = true
		case au == "replica-a" && switched:
			t.Errorf("commit %d by replica-a after replica-b's first: %v", i, authors)
		case au != "replica-a":
			t.Errorf("commit %d by %q", i, au)
		}
	}
	if !switched {
		t.Errorf("no commit by replica-b: %v", authors)
	}
	for name, n := range adds {
		if n != 1 {
			t.Errorf("%s added %d times, want once", name, n)
		}
	}
	// before: added, changed; led-by-a: added, changed in the gap;
	// in-the-gap and led-by-b: added.
	want := map[string]int{"before": 2, "led-by-a": 2, "in-the-gap": 1, "led-by-b": 1}
	for name, n := range want {
		if touches[name] != n {
			t.Errorf("%s touched by %d commits, want %d (history: %s)", name, touches[name], n, out)
		}
	}

	// A clean stop hands the lease over at once.
	if err := b.Stop(t); err != nil {
		t.Fatalf("replica-b exited with %v", err)
	}
	lease, err := cs.CoordinationV1().Leases(ns).Get(t.Context(), "clusterscribe", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := lease.Spec.LeaseDurationSeconds; d == nil || *d != 1 {
		t.Errorf("lease not released by replica-b: %+v", lease.Spec)
	}
}

// TestSIGTERMFlushes: with a batch window far longer than the test, the
// only way a change reaches the remote is the final commit and push that
// SIGTERM triggers.
func TestSIGTERMFlushes(t *testing.T) {
	ns := cluster.Namespace(t, "sigterm")
	cs := cluster.Clientset(t)
	remote := newBareRemote(t)
	config, kubeconfig := writeProcessConfig(t, ns, remote, "")
	setValue(t, cs, ns, "pending", 1)
	r := startReplica(t, "replica", kubeconfig, config, "--record.batch-window=1h",
		"--record.workdir="+filepath.Join(t.TempDir(), "clone"))
	r.waitLogged(t, "initial sync done; ready")
	waitValues(t, remote, ns, map[string]int{"pending": 1})
	setValue(t, cs, ns, "pending", 2)
	// The change is seen (and waits for its batch) before the signal.
	addr := r.address(t)
	eventually(t, "the change seen", func() (bool, string) {
		v, _ := sample(scrape(t, addr), operate.MetricEvents, "type", "upsert")
		return v >= 2, fmt.Sprintf("upserts=%v", v)
	})
	if err := r.Stop(t); err != nil {
		t.Fatalf("exit: %v", err)
	}
	waitValues(t, remote, ns, map[string]int{"pending": 2})
}
