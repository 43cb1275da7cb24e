package record_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/clusterscribe/clusterscribe/internal/golden"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/serializer"
)

var cluster *testcluster.Cluster

// TestMain starts one control plane with controllers for the package:
// kube-controller-manager, kube-scheduler and kwok Nodes run the
// workloads, so the drills fault a cluster whose pods churn.
func TestMain(m *testing.M) {
	testcluster.MainWith(m, &cluster, testcluster.Options{Controllers: true, Nodes: 2})
}

const (
	// branch is the backup branch every test records into.
	branch = "clusterscribe/backup"
	// batchWindow is short so that tests see commits quickly.
	batchWindow = 200 * time.Millisecond
	// patience bounds every wait for the recorder: generous, since the
	// machine is small and shared.
	patience = 60 * time.Second
)

// syncBuffer collects log output written from several goroutines.
type syncBuffer = testkit.SyncBuffer

// clientset is a typed client without client-side throttling worth
// speaking of: the noise test sends a thousand updates.
func clientset(t *testing.T) kubernetes.Interface {
	t.Helper()
	cfg := rest.CopyConfig(cluster.Config)
	cfg.QPS, cfg.Burst = 1000, 2000
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("clientset: %v", err)
	}
	return cs
}

// newConfig returns a record configuration scoped to namespace ns (and to
// kinds, when given), recording as cluster "test" into repo, with a debug
// logger writing JSON into the returned buffer.
func newConfig(ns, repo string, kinds ...string) (record.Config, *syncBuffer) {
	logs := &syncBuffer{}
	return record.Config{
		Cluster:       "test",
		BatchWindow:   batchWindow,
		ShutdownGrace: patience,
		Filters:       filters.Options{Namespaces: []string{ns}, IncludeKinds: kinds},
		Committer: committer.Options{
			Repo:        repo,
			Branch:      branch,
			PushBackoff: committer.Backoff{Initial: 50 * time.Millisecond, Max: 500 * time.Millisecond},
		},
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, logs
}

// recording is one record.Run in the background.
type recording struct {
	*testkit.Background
	logs *syncBuffer
}

// startRecord runs record.Run until stop (or the end of the test). When
// the test ends, after the run stopped, everything it wrote and logged is
// searched for secret values.
func startRecord(t *testing.T, cfg record.Config, logs *syncBuffer) *recording {
	t.Helper()
	secretscan.Guard(t).Log("record log", logs.String)
	return startRecordOn(t, cluster.Config, cfg, logs)
}

// startRecordOn is startRecord against the cluster restCfg points to.
func startRecordOn(t *testing.T, restCfg *rest.Config, cfg record.Config, logs *syncBuffer) *recording {
	t.Helper()
	run := testkit.Go(t, "record.Run", func(ctx context.Context) error { return record.Run(ctx, restCfg, cfg) })
	return &recording{Background: run, logs: logs}
}

// stop ends the run as a signal would and fails the test if Run reports
// an error.
func (r *recording) stop(t *testing.T) {
	t.Helper()
	if err := r.Stop(t); err != nil {
		t.Fatalf("record.Run: %v", err)
	}
}

// waitSynced waits until the initial snapshot is recorded: from then on
// changes are followed incrementally.
func (r *recording) waitSynced(t *testing.T) {
	t.Helper()
	eventually(t, r, "the initial snapshot", func() (bool, string) {
		return r.logs.Count("initial snapshot recorded") > 0, "no \"initial snapshot recorded\" log yet"
	})
}

// eventually polls cond until it holds (see testkit.Eventually). A
// recorder (may be nil) that exits meanwhile fails the test at once.
func eventually(t *testing.T, r *recording, what string, cond func() (bool, string)) {
	t.Helper()
	testkit.Eventually(t, what, func() (bool, string) {
		ok, state := cond()
		if r != nil && !ok {
			if err := r.Alive(); err != nil {
				t.Fatalf("waiting for %s: %v (last state: %s)", what, err, state)
			}
		}
		return ok, state
	})
}

// gitTry and gitOut run the real git binary in dir.
func gitTry(dir string, args ...string) (string, error) { return gittest.Try(dir, args...) }

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return gittest.Out(t, dir, args...)
}

const branchRef = "refs/heads/" + branch

// tip is the branch's commit in dir; "" when the branch does not exist.
func tip(dir string) string {
	out, err := gitTry(dir, "rev-parse", "--verify", "--quiet", branchRef+"^{commit}")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}

// commitCount is the number of commits on the branch in dir.
func commitCount(t *testing.T, dir string) int {
	t.Helper()
	n, err := commitCountTry(dir)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// commitCountTry is commitCount for polling (see filesTry); 0 when the
// branch does not exist.
func commitCountTry(dir string) (int, error) {
	if tip(dir) == "" {
		return 0, nil
	}
	out, err := gitTry(dir, "rev-list", "--count", branchRef)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(out))
}

// files lists the files at the branch tip in dir.
func files(t *testing.T, dir string) []string {
	t.Helper()
	fs, err := filesTry(dir)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// filesTry is files for polling: go-git rewrites a ref file in place, so a
// reader racing a commit may find it empty for a moment.
func filesTry(dir string) ([]string, error) {
	if tip(dir) == "" {
		return nil, errors.New("branch " + branch + " not found")
	}
	out, err := gitTry(dir, "ls-tree", "-r", "--name-only", branchRef)
	if err != nil {
		return nil, err
	}
	if out = strings.TrimSpace(out); out == "" {
		return nil, nil
	}
	return strings.Split(out, "\n"), nil
}

// show returns a file at a revision; ok is false when it is not there.
func show(dir, rev, path string) (string, bool) {
	out, err := gitTry(dir, "show", rev+":"+path)
	return out, err == nil
}

// waitFiles waits until every path exists (present) or none does (!present)
// at the branch tip in dir.
func waitFiles(t *testing.T, r *recording, dir string, present bool, paths ...string) {
	t.Helper()
	eventually(t, r, fmt.Sprintf("files present=%v: %v", present, paths), func() (bool, string) {
		fs, err := filesTry(dir)
		if err != nil {
			return false, err.Error()
		}
		have := map[string]bool{}
		for _, f := range fs {
			have[f] = true
		}
		for _, p := range paths {
			if have[p] != present {
				return false, fmt.Sprintf("%s present=%v", p, have[p])
			}
		}
		return true, ""
	})
}

// waitContent waits until the file at the branch tip satisfies ok and
// returns it.
func waitContent(t *testing.T, r *recording, dir, path, what string, ok func(string) bool) string {
	t.Helper()
	var got string
	eventually(t, r, path+": "+what, func() (bool, string) {
		s, found := show(dir, branchRef, path)
		got = s
		return found && ok(s), "file:\n" + s
	})
	return got
}

// parseYAML decodes one recorded file.
func parseYAML(t *testing.T, data string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := sigsyaml.Unmarshal([]byte(data), &m); err != nil {
		t.Fatalf("parse recorded file: %v\n%s", err, data)
	}
	return m
}

// nsPath is the file of a namespaced object of cluster "test", spelled out
// as the branch layout documents it.
func nsPath(ns, group, resource, name string) string {
	if group == "" {
		group = "core"
	}
	return "test/namespaces/" + ns + "/" + group + "/" + resource + "/" + name + ".yaml"
}

// checkGolden compares a recorded file with testdata/golden/<name>, the
// test's random namespace replaced by NAMESPACE. -update rewrites it.
func checkGolden(t *testing.T, name, ns, got string) {
	t.Helper()
	golden.CheckString(t, filepath.Join("testdata", "golden", name), strings.ReplaceAll(got, ns, "NAMESPACE"))
}

// checkNormalized fails when a recorded object keeps a volatile field.
func checkNormalized(t *testing.T, path, data string) {
	t.Helper()
	obj := parseYAML(t, data)
	meta, _ := obj["metadata"].(map[string]any)
	for _, k := range []string{"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink"} {
		if _, ok := meta[k]; ok {
			t.Errorf("%s keeps metadata.%s:\n%s", path, k, data)
		}
	}
	if _, ok := obj["status"]; ok {
		t.Errorf("%s keeps status:\n%s", path, data)
	}
}

// encryptOptions is encrypt mode for one recipient.
func encryptOptions(recipient string) serializer.Options {
	return serializer.Options{Secrets: serializer.SecretsEncrypt, AgeRecipients: []string{recipient}}
}
