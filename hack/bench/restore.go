package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/internal/kube"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/restore"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// restoreUser is who restores: a cluster-admin that is not system:masters,
// so API Priority and Fairness treats it as it treats any user (masters
// are exempt from its limits).
const restoreUser = "clusterscribe-restore"

type restoreResult struct {
	// Seeded is how many objects were seeded and recorded.
	Seeded int `json:"seeded"`
	// Files is how many files the backup holds; Created how many objects
	// each restore created (the rest already exist in an empty cluster or
	// are skipped by design).
	Files   int   `json:"files"`
	Created []int `json:"createdEachRun"`
	Failed  []int `json:"failedEachRun"`
	// Run is the median restore by wall time, with default flags.
	Run           run       `json:"restore"`
	WallEach      []float64 `json:"wallSecondsEachRun"`
	ObjectsPerSec float64   `json:"objectsPerSecond"`
	// Throttled is the 429 responses each restore saw.
	Throttled []int `json:"responses429EachRun"`
	// Kubectl is `kubectl apply --server-side -R` of the same files
	// (Secrets decrypted), once.
	Kubectl              run     `json:"kubectlServerSide"`
	KubectlApplied       int     `json:"kubectlApplied"`
	KubectlObjectsPerSec float64 `json:"kubectlObjectsPerSecond"`
	// Ceiling is the API server's write rate on this machine: server-side
	// apply of the same mix by 32 workers as system:masters at 5,000 QPS.
	CeilingSec           float64 `json:"ceilingWallSeconds"`
	CeilingObjects       int     `json:"ceilingObjects"`
	CeilingObjectsPerSec float64 `json:"ceilingObjectsPerSecond"`
}

// onlyRestore seeds -n objects, records them with encrypted Secrets,
// stops that control plane, then measures the restore (restorePhase).
func onlyRestore(ctx context.Context, c config) (err error) {
	r, err := earlierResultsAbs(&c)
	if err != nil {
		return err
	}
	e, err := startEnv(ctx, c)
	if err != nil {
		return err
	}
	defer e.stop()
	if err := e.seedTo(ctx, c.objects); err != nil {
		return err
	}
	repo, idFile, err := recordEncrypted(ctx, c, e)
	if err != nil {
		return err
	}
	e.stop()
	if r.at(c.objects).Restore, err = restorePhase(ctx, c, repo, idFile); err != nil {
		return err
	}
	return r.write(c.markdown, c.jsonOut)
}

// restoreRepeats is how many restores run at n objects: the median of
// three up to 20,000, one above (a restore of 100,000 objects takes
// minutes, and so do kubectl and the ceiling next to it).
func restoreRepeats(n int) int {
	if n <= 20000 {
		return benchRepeats
	}
	return 1
}

// restorePhase restores the recorded backup into an empty control plane
// with default flags (restoreRepeats times), applies the same files with
// kubectl once, and measures the API server's write ceiling.
func restorePhase(ctx context.Context, c config, repo, idFile string) (*restoreResult, error) {
	res := &restoreResult{Seeded: c.objects}
	files, err := exec.CommandContext(ctx, "git", "-C", repo, "ls-tree", "-r", "--name-only", "clusterscribe/backup").Output()
	if err != nil {
		return nil, fmt.Errorf("list recorded files: %w", err)
	}
	res.Files = len(strings.Fields(string(files)))
	if err := restoreRuns(ctx, c, repo, idFile, res); err != nil {
		return nil, err
	}
	if err := kubectlRun(ctx, c, repo, idFile, res); err != nil {
		return nil, err
	}
	if err := ceilingRun(ctx, c, res); err != nil {
		return nil, err
	}
	return res, nil
}

// recordEncrypted records the seeded control plane once with Secrets
// encrypted to a fresh age identity.
func recordEncrypted(ctx context.Context, c config, e *env) (repo, idFile string, err error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", "", fmt.Errorf("age identity: %w", err)
	}
	idFile = filepath.Join(c.out, "restore-age.key")
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		return "", "", fmt.Errorf("write age identity: %w", err)
	}
	repo = filepath.Join(c.out, "restore-backup")
	_ = os.RemoveAll(repo)
	step("record --once of %d objects, Secrets encrypted", e.seeded)
	if _, err := measure(ctx, filepath.Join(c.out, "restore-record.log"), nil, nil, c.cli, "record", "--kubeconfig", e.kubeconfig,
		"--repo", repo, "--cluster-name", "bench", "--once", "--secrets", "encrypt", "--age-recipient", id.Recipient().String()); err != nil {
		return "", "", err
	}
	return repo, idFile, nil
}

// emptyPlane starts an empty control plane with default limits and
// returns it with the kubeconfig of restoreUser.
func emptyPlane(c config, name string) (*testcluster.Cluster, string, error) {
	logFile, err := os.Create(filepath.Join(c.out, name+"-control-plane.log"))
	if err != nil {
		return nil, "", fmt.Errorf("create control plane log: %w", err)
	}
	step("starting an empty control plane (%s)", name)
	cl, err := testcluster.Start(testcluster.Options{Output: logFile, APIServerArgs: map[string]string{"service-cluster-ip-range": "10.96.0.0/12"}})
	if err != nil {
		return nil, "", err
	}
	fail := func(err error) (*testcluster.Cluster, string, error) {
		_ = cl.Stop()
		return nil, "", err
	}
	u, err := cl.AddUser(restoreUser)
	if err != nil {
		return fail(err)
	}
	cs, err := kubernetes.NewForConfig(cl.Config)
	if err != nil {
		return fail(fmt.Errorf("client: %w", err))
	}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: restoreUser},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: restoreUser}},
	}
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(context.Background(), crb, metav1.CreateOptions{}); err != nil {
		return fail(fmt.Errorf("bind %s: %w", restoreUser, err))
	}
	kc := filepath.Join(c.out, name+"-kubeconfig")
	if err := u.WriteKubeconfig(kc); err != nil {
		return fail(err)
	}
	return cl, kc, nil
}

// restoreRuns restores the backup into an empty control plane
// restoreRepeats times, with default flags.
func restoreRuns(ctx context.Context, c config, repo, idFile string, res *restoreResult) error {
	var runs []run
	for i := range restoreRepeats(c.objects) {
		name := fmt.Sprintf("restore-%d", i+1)
		cl, kc, err := emptyPlane(c, name)
		if err != nil {
			return err
		}
		report := filepath.Join(c.out, name+".json")
		logFile := filepath.Join(c.out, name+".log")
		r, err := measure(ctx, logFile, nil, nil, c.cli, "restore", "--kubeconfig", kc, "--repo", repo, "--cluster-name", "bench",
			"--age-identity", idFile, "-o", "json", "--output-file", report, "--log-format", "json")
		_ = cl.Stop()
		if err != nil {
			return err
		}
		created, failed, err := restoreCounts(report)
		if err != nil {
			return err
		}
		throttled := throttledIn(logFile)
		step("  run %d: %.2fs, %d created, %d failed, %d responses 429, peak RSS %s", i+1, r.WallSec, created, failed, throttled, mib(r.PeakRSS))
		runs = append(runs, r)
		res.WallEach = append(res.WallEach, r.WallSec)
		res.Created = append(res.Created, created)
		res.Failed = append(res.Failed, failed)
		res.Throttled = append(res.Throttled, throttled)
	}
	slices.SortFunc(runs, func(a, b run) int { return cmp.Compare(a.WallSec, b.WallSec) })
	res.Run = runs[len(runs)/2]
	res.ObjectsPerSec = float64(res.Created[0]) / res.Run.WallSec
	return nil
}

// restoreCounts reads a restore's JSON report.
func restoreCounts(report string) (created, failed int, err error) {
	data, err := os.ReadFile(report)
	if err != nil {
		return 0, 0, fmt.Errorf("read restore report: %w", err)
	}
	var sum struct {
		Results []struct {
			Action string `json:"action"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		return 0, 0, fmt.Errorf("parse restore report: %w", err)
	}
	for _, r := range sum.Results {
		switch r.Action {
		case "created":
			created++
		case "failed":
			failed++
		}
	}
	return created, failed, nil
}

// throttledIn reads the 429s a restore logged it saw.
func throttledIn(logFile string) int {
	f, err := os.Open(logFile)
	if err != nil {
		return 0
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line struct {
			Msg string `json:"msg"`
			N   int    `json:"responses429"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "the API server throttled the restore" {
			return line.N
		}
	}
	return 0
}

// kubectlRun applies the backup's files, Secrets decrypted, with
// `kubectl apply --server-side` into an empty control plane.
func kubectlRun(ctx context.Context, c config, repo, idFile string, res *restoreResult) error {
	dir := filepath.Join(c.out, "restore-kubectl-files")
	if err := exportDecrypted(ctx, repo, idFile, dir); err != nil {
		return err
	}
	cl, kc, err := emptyPlane(c, "restore-kubectl")
	if err != nil {
		return err
	}
	defer func() { _ = cl.Stop() }()
	kubectl := filepath.Join(testcluster.AssetsDir(), "kubectl")
	step("kubectl apply --server-side -R of the same %d files", res.Files)
	var out bytes.Buffer
	r, err := measure(ctx, filepath.Join(c.out, "restore-kubectl.log"), &out, []int{1}, kubectl, "apply", "--server-side", "--force-conflicts",
		"--field-manager", "kubectl-bench", "--kubeconfig", kc, "-R", "-f", filepath.Join(dir, "bench"))
	if err != nil {
		return err
	}
	res.Kubectl = r
	res.KubectlApplied = strings.Count(out.String(), "serverside-applied")
	res.KubectlObjectsPerSec = float64(res.KubectlApplied) / r.WallSec
	step("  %.2fs, %d applied (%.0f/s), peak RSS %s", r.WallSec, res.KubectlApplied, res.KubectlObjectsPerSec, mib(r.PeakRSS))
	return nil
}

// exportDecrypted writes the tree of the backup branch to dir, encrypted
// Secrets decrypted (the bench's own random values).
func exportDecrypted(ctx context.Context, repo, idFile, dir string) error {
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	archive := exec.CommandContext(ctx, "sh", "-c", `git -C "$1" archive clusterscribe/backup | tar -x -C "$2"`, "sh", repo, dir)
	if out, err := archive.CombinedOutput(); err != nil {
		return fmt.Errorf("export the backup: %w: %s", err, out)
	}
	data, err := os.ReadFile(idFile)
	if err != nil {
		return fmt.Errorf("read age identity: %w", err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("parse age identity: %w", err)
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil || !serializer.IsEncrypted(data) {
			return err
		}
		plain, err := serializer.Decrypt(data, ids)
		if err != nil {
			return fmt.Errorf("decrypt %s: %w", p, err)
		}
		return os.WriteFile(p, plain, 0o600)
	})
}

// ceilingRun measures how fast the API server takes the same mix of
// objects from a client that is not limited: 32 workers, server-side
// apply, as system:masters (exempt from API Priority and Fairness).
func ceilingRun(ctx context.Context, c config, res *restoreResult) error {
	cl, _, err := emptyPlane(c, "restore-ceiling")
	if err != nil {
		return err
	}
	defer func() { _ = cl.Stop() }()
	fast := rest.CopyConfig(cl.Config)
	fast.QPS, fast.Burst = 5000, 5000
	cs, err := kubernetes.NewForConfig(fast)
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	clients, err := kube.New(fast, kube.Limits{QPS: fast.QPS, Burst: fast.Burst})
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	s := &seeder{cs: cs, dyn: clients.Dynamic}
	step("write ceiling: %d objects, 32 workers, 5,000 QPS, system:masters", c.objects)
	start := time.Now()
	if err := s.namespaces(ctx); err != nil {
		return err
	}
	if err := s.seed(ctx, 0, c.objects, 32); err != nil {
		return err
	}
	res.CeilingSec = time.Since(start).Seconds()
	res.CeilingObjects = c.objects + namespaces
	res.CeilingObjectsPerSec = float64(res.CeilingObjects) / res.CeilingSec
	step("  %.2fs, %.0f objects/s", res.CeilingSec, res.CeilingObjectsPerSec)
	return nil
}

func (r *results) restoreTable(p func(string, ...any)) {
	var xs []*restoreResult
	for _, sz := range r.sizes() {
		if sz.Restore != nil {
			xs = append(xs, sz.Restore)
		}
	}
	if len(xs) == 0 {
		return
	}
	p("## Restore")
	p("")
	p("`make bench` (or `go run ./hack/bench -only restore`): the seeded objects recorded (`record --once`, Secrets encrypted with age), then restored into an EMPTY control plane with default flags (`restore --age-identity …`: adaptive rate capped at %d QPS, %d objects of a level at once) by a cluster-admin user that is not system:masters, so API Priority and Fairness limits it as any user. Files not created are objects an empty control plane already has (its own, skipped as existing). Up to 20,000 objects the median of %d runs (each into a fresh control plane) is shown, every run's wall time next to it; above, one run.",
		kube.DefaultAdaptiveQPS, restore.DefaultParallel, benchRepeats)
	p("")
	p("| Objects | | wall | objects/s | peak RSS | 429s |")
	p("|---:|---|---|---|---|---|")
	for _, x := range xs {
		p("| %d | clusterscribe restore, default flags (%d files) | %.2f s (%s) | %.0f (%d created, %d failed) | %s | %s |",
			x.Seeded, x.Files, x.Run.WallSec, seconds(x.WallEach), x.ObjectsPerSec, x.Created[0], x.Failed[0], mib(x.Run.PeakRSS), counts(x.Throttled))
		p("| %d | kubectl apply --server-side -R, same files (Secrets decrypted), once | %.2f s | %.0f (%d applied) | %s | |",
			x.Seeded, x.Kubectl.WallSec, x.KubectlObjectsPerSec, x.KubectlApplied, mib(x.Kubectl.PeakRSS))
		p("| %d | write ceiling: server-side apply of the same mix, 32 workers, 5,000 QPS, system:masters (exempt from APF) | %.2f s | %.0f (%d objects) | | |",
			x.Seeded, x.CeilingSec, x.CeilingObjectsPerSec, x.CeilingObjects)
	}
	p("")
	p("A restore sends two requests per object (a GET — does it exist? — then the server-side apply) where the ceiling and kubectl send one.")
	p("")
}

// counts lists numbers: "0, 3, 1".
func counts(each []int) string {
	out := make([]string, len(each))
	for i, v := range each {
		out[i] = fmt.Sprint(v)
	}
	return strings.Join(out, ", ")
}
