package main

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

type machine struct {
	CPUs     int    `json:"cpus"`
	CPUModel string `json:"cpuModel"`
	MemGiB   int64  `json:"memoryGiB"`
	Kernel   string `json:"kernel"`
}

type versions struct {
	Clusterscribe string `json:"clusterscribe"`
	Go            string `json:"go"`
	Kubernetes    string `json:"kubernetes"`
	Etcd          string `json:"etcd"`
}

type results struct {
	Date        string   `json:"date"`
	Machine     machine  `json:"machine"`
	Versions    versions `json:"versions"`
	Objects     int      `json:"objects"`
	BatchWindow string   `json:"batchWindow"`
	ChurnEach   string   `json:"churnDurationPerRate"`
	Idle        run      `json:"idleProcess"`
	// The run at 10,000 objects (or fewer) fills these; a run at more
	// fills Large, so that both sizes stand side by side.
	sizeRun
	Large *sizeRun    `json:"large,omitempty"`
	Audit auditResult `json:"auditWithPolicies"`
	// AuditLarge is the audit measured at more than 10,000 objects
	// (-only audit -n 100000), next to Audit.
	AuditLarge *auditResult  `json:"auditWithPoliciesLarge,omitempty"`
	Micro      []microResult `json:"micro,omitempty"`
	// Webhook is the audit webhook receiver under a flood (-only webhook).
	Webhook     *webhookResult `json:"auditWebhook,omitempty"`
	batchWindow time.Duration

	// Scale is the initial snapshot at every size measured, kept across
	// runs at different -n (-only snapshot, or a full run's own size).
	Scale []scaleRow `json:"snapshotByClusterSize,omitempty"`
}

func newResults(c config) *results {
	r := &results{
		Date:        time.Now().UTC().Format(time.RFC3339),
		Objects:     c.objects,
		BatchWindow: c.batchWindow.String(),
		ChurnEach:   c.churn.String(),
		batchWindow: c.batchWindow,
		Machine:     machine{CPUs: runtime.NumCPU(), CPUModel: cpuModel(), MemGiB: memGiB(), Kernel: kernel()},
		Versions: versions{
			Go: runtime.Version(), Kubernetes: testcluster.KubernetesVersion, Etcd: testcluster.EtcdVersion,
		},
	}
	if out, err := exec.Command("git", "describe", "--tags", "--always", "--dirty").Output(); err == nil {
		r.Versions.Clusterscribe = strings.TrimSpace(string(out))
	}
	return r
}

func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for line := range strings.SplitSeq(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func memGiB() int64 {
	data, _ := os.ReadFile("/proc/meminfo")
	var kb int64
	_, _ = fmt.Sscanf(string(data), "MemTotal: %d kB", &kb)
	return (kb + 1<<19) >> 20
}

func kernel() string {
	data, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return strings.TrimSpace(string(data))
}

// rerender writes the markdown of an earlier run's JSON.
func rerender(jsonFile, markdown string) error {
	data, err := os.ReadFile(jsonFile)
	if err != nil {
		return fmt.Errorf("read results: %w", err)
	}
	var r results
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("parse %s: %w", jsonFile, err)
	}
	if r.batchWindow, err = time.ParseDuration(r.BatchWindow); err != nil {
		return fmt.Errorf("%s: batchWindow: %w", jsonFile, err)
	}
	if err := os.WriteFile(markdown, r.markdown(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", markdown, err)
	}
	return nil
}

func (r *results) write(markdown, jsonFile string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(jsonFile, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", jsonFile, err)
	}
	if err := os.WriteFile(markdown, r.markdown(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", markdown, err)
	}
	return nil
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

func (r *results) markdown() []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("# clusterscribe benchmarks")
	p("")
	p("Measured by `make bench` (hack/bench) on %s against a real local control plane (kube-apiserver %s + etcd %s, built from source) seeded with %d objects — ConfigMaps 40%%, Secrets 20%%, Deployments 20%%, Services 20%% across 100 namespaces, plus %d HPAs.",
		r.Date[:10], r.Versions.Kubernetes, r.Versions.Etcd, r.Objects, hpas)
	p("")
	p("Machine: %d CPUs (%s), %d GiB, Linux %s, shared with other work: expect noise of ±20%% between runs. The control plane, the load generator and clusterscribe share these cores. clusterscribe %s, %s.",
		r.Machine.CPUs, r.Machine.CPUModel, r.Machine.MemGiB, r.Machine.Kernel, r.Versions.Clusterscribe, r.Versions.Go)
	p("")
	p("Reproduce: `make bench` (N=%d by default; `make bench N=100000` for a larger cluster, `BENCH_CHURN=10m` for longer churn). Raw numbers: `benchmarks.json`; logs, repositories and pprof profiles of the run: `bench-output/`.", r.Objects)
	p("")
	r.targets(p)
	r.snapshotTable(p)
	r.scaleTable(p)
	r.churnTable(p)
	r.apiTable(p)
	r.gitTable(p)
	r.auditTable(p)
	r.webhookTable(p)
	r.restoreTable(p)
	r.microTable(p)
	b.WriteString(bounds)
	return b.Bytes()
}

// bounds says what bounds each target not met, from the profiles of the
// last runs: written by hand after reading them, kept with the tables.
//
//go:embed bounds.md
var bounds string

func (r *results) last() snapshot {
	if len(r.Snapshots) == 0 {
		return snapshot{}
	}
	return r.Snapshots[len(r.Snapshots)-1]
}

// scaleAt is the initial snapshot's row at n objects, if measured.
func (r *results) scaleAt(n int) (scaleRow, bool) {
	i := slices.IndexFunc(r.Scale, func(s scaleRow) bool { return s.Objects == n })
	if i < 0 {
		return scaleRow{}, false
	}
	return r.Scale[i], true
}

// targets lists every target with what was measured against it: those of
// the 10,000-object run, then those of a larger one.
func (r *results) targets(p func(string, ...any)) {
	s := r.last()
	p("## Targets")
	p("")
	p("| Target | Measured | |")
	p("|---|---|---|")
	p("| Initial snapshot ≤ 2× a raw paginated dump | %.2f× (%.1f s vs %.1f s at %d objects%s) | %s |", s.WallRatio, s.Record.WallSec, s.RawDump.WallSec, s.Objects, ratios(s.RatioEach), verdict(s.WallRatio <= 2))
	for _, n := range []int{10000, 100000} {
		if row, ok := r.scaleAt(n); ok {
			p("| `record --once` peak RSS %s | %s at %d objects, of which %s anonymous (heap, stacks) and %s the executable's file-backed pages%s; %.0f bytes per recorded object | %s |",
				rssLimitText(n), mib(row.Record.PeakRSS), n, mib(row.Record.PeakAnon), mib(row.FileBacked), r.idleNote(), row.RSSPerObject, rssTarget(row))
			if l := row.Limited; l != nil {
				p("| `record --once` at %d objects in a container limited to %d MB | %s | %s |", n, l.LimitBytes/1e6, limitedText(l), verdict(l.Completed))
			}
		}
	}
	p("| At start one paginated LIST and one WATCH per kind, no periodic relist | %s; LISTs during churn: %.0f | %s |", startSummary(r.Start), r.churnLists(), verdict(r.Start.OnePerKind && r.churnLists() == 0))
	window := float64(r.batchWindow.Milliseconds())
	for _, sz := range r.sizes() {
		for _, c := range sz.Churn {
			p("| p95 change → commit ≤ batch window (%s) + 500 ms at %.0f/s, %d objects recorded | p95 %.0f ms | %s |", r.BatchWindow, c.Rate, sz.objects, c.P95ms, verdict(c.P95ms <= window+500 && c.Uncommitted == 0))
		}
		if sz.objects > auditRowObjects && len(sz.Churn) > 0 {
			peak := slices.MaxFunc(sz.Churn, func(a, b churnResult) int { return cmp.Compare(a.RSSMax, b.RSSMax) })
			p("| Steady-state RSS of a recorder following %d objects ≤ 250 MB | %s (%s anonymous) at most, under churn up to %.0f/s | %s |",
				sz.objects, mib(peak.RSSMax), mib(peak.AnonMax), sz.Churn[len(sz.Churn)-1].Rate, verdict(sz.objects != 100000 || peak.RSSMax <= 250e6))
		}
	}
	noise := r.Git.AfterNoise.Commits - r.Git.AfterReal.Commits
	p("| Zero commits from status/scale churn | %d commits from %d updates | %s |", noise, r.Git.NoiseUpdates, verdict(noise == 0))
	a := r.Audit
	p("| Audit + all bundled policies ≤ 3 s and ≤ 200 MB at 10,000 objects | %.2f s (median of %s), %s peak RSS at %d objects | %s |", a.Run.WallSec, seconds(a.WallEach), mib(a.Run.PeakRSS), a.Objects,
		verdict(a.Objects != 10000 || a.Run.WallSec <= 3 && a.Run.PeakRSS <= 200e6))
	if l := r.AuditLarge; l != nil {
		p("| Audit + all bundled policies ≤ 30 s and ≤ 1 GB at 100,000 objects | %.2f s (%s), %s peak RSS at %d objects | %s |", l.Run.WallSec, seconds(l.WallEach), mib(l.Run.PeakRSS), l.Objects,
			verdict(l.Objects != 100000 || l.Run.WallSec <= 30 && l.Run.PeakRSS <= 1e9))
	}
	for _, sz := range r.sizes() {
		if x := sz.Restore; x != nil && x.Seeded == 10000 {
			p("| Restore of 10,000 objects into an empty control plane ≤ 60 s with default flags | %.2f s (%s); kubectl apply --server-side %.2f s; write ceiling %.2f s | %s |",
				x.Run.WallSec, seconds(x.WallEach), x.Kubectl.WallSec, x.CeilingSec, verdict(x.Run.WallSec <= 60))
		}
	}
	p("")
}

// idleNote puts the process's fixed cost next to the peak: the RSS of
// `clusterscribe version`, which does nothing but start.
func (r *results) idleNote() string {
	if r.Idle.PeakRSS == 0 {
		return ""
	}
	return fmt.Sprintf(" (`clusterscribe version` alone peaks at %s, %s anonymous: the one binary's code and data, which Linux may map in 2 MiB pages — FilePmdMapped in /proc/PID/smaps_rollup)", mib(r.Idle.PeakRSS), mib(r.Idle.PeakAnon))
}

// ratios says which runs a median was taken of.
func ratios(each []float64) string {
	if len(each) < 2 {
		return ""
	}
	out := make([]string, len(each))
	for i, v := range each {
		out[i] = fmt.Sprintf("%.2f×", v)
	}
	return "; median of " + strings.Join(out, ", ")
}

// seconds lists wall times: "4.1 s, 4.3 s, 5.0 s".
func seconds(each []float64) string {
	out := make([]string, len(each))
	for i, v := range each {
		out[i] = fmt.Sprintf("%.2f s", v)
	}
	return strings.Join(out, ", ")
}

func startSummary(l apiLoad) string {
	return fmt.Sprintf("%.0f list requests and %.0f watches for %d kinds (%.0f watches open on the API server), %.0f other requests", l.ByVerb["list"], l.ByVerb["watch"], l.Kinds, sumValues(l.OpenWatches), sumValues(l.ByVerb)-l.ByVerb["list"]-l.ByVerb["watch"])
}

func sumValues(m map[string]float64) float64 {
	t := 0.0
	for _, v := range m {
		t += v
	}
	return t
}

func (r *results) churnLists() float64 {
	n := 0.0
	for _, c := range r.Churn {
		for k, v := range c.Reads {
			if strings.HasPrefix(k, "list ") {
				n += v
			}
		}
	}
	return n
}

func (r *results) snapshotTable(p func(string, ...any)) {
	p("## 1. Initial snapshot (`record --once`) next to a raw dump")
	p("")
	p("The raw dump lists the same kinds with the same page size (500) and client rate limit (20 qps, burst 30) and writes each object as the API server sent it: a lower bound. `record --once` also normalizes, serializes, commits to Git and exits.")
	p("")
	p("| Objects seeded | Files recorded | record wall | record peak RSS (anonymous) | RSS per object | raw dump wall | raw dump peak RSS (anonymous) | wall ratio | .git size |")
	p("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, sz := range r.sizes() {
		for _, s := range sz.Snapshots {
			p("| %d | %d | %.2f s | %s (%s) | %.0f B | %.2f s | %s (%s) | %.2f× | %s |", s.Objects, s.Files, s.Record.WallSec, mib(s.Record.PeakRSS), mib(s.Record.PeakAnon), s.RSSPerObject, s.RawDump.WallSec, mib(s.RawDump.PeakRSS), mib(s.RawDump.PeakAnon), s.WallRatio, mib(s.RepoBytes))
		}
	}
	for _, sz := range r.sizes() {
		if n := len(sz.Snapshots); n >= 2 {
			a, b := sz.Snapshots[0], sz.Snapshots[n-1]
			slope := float64(b.Record.PeakRSS-a.Record.PeakRSS) / float64(max(b.Files-a.Files, 1))
			p("")
			p("Growth: %.0f bytes of peak RSS per additional object between %d and %d objects (the rest is the fixed cost of the process).", slope, a.Files, b.Files)
		}
	}
	p("")
}

func (r *results) apiTable(p func(string, ...any)) {
	p("## 3. API requests issued by `record`")
	p("")
	p("`record` runs as its own user (%s); the API server's audit log (metadata of that user's requests only) counts them by verb and resource — a watch when it starts, anything else when it ends — from before `record` starts until after its initial snapshot, and again over each churn phase. `apiserver_longrunning_requests` from the API server's `/metrics` confirms the watches held open. Discovery requests are the non-resource row.", recordUser)
	p("")
	p("| Resource | list | watch | other | open watches |")
	p("|---|---:|---:|---:|---:|")
	rows := map[string][4]float64{}
	for k, v := range r.Start.Requests {
		verb, res, _ := strings.Cut(k, " ")
		x := rows[res]
		switch verb {
		case "list":
			x[0] += v
		case "watch":
			x[1] += v
		default:
			x[2] += v
		}
		rows[res] = x
	}
	for k, v := range r.Start.OpenWatches {
		_, res, _ := strings.Cut(k, " ")
		x := rows[res]
		x[3] += v
		rows[res] = x
	}
	for _, res := range sortedKeys(rows) {
		x := rows[res]
		p("| %s | %.0f | %.0f | %.0f | %.0f |", res, x[0], x[1], x[2], x[3])
	}
	p("")
	p("Requests at start by verb: %s.", verbSummary(r.Start.ByVerb))
	p("")
	for _, sz := range r.sizes() {
		if sz.objects > auditRowObjects {
			p("At start with %d objects: %s.", sz.objects, verbSummary(sz.Start.ByVerb))
			p("")
		}
		for _, c := range sz.Churn {
			p("Over the %.0f s of churn at %.0f/s with %d objects recorded, every request `record` made: %s.", c.Seconds, c.Rate, sz.objects, readSummary(c.Reads))
			p("")
		}
	}
	p("")
	p("A watch seen during churn is one the client ended after its timeout (client-go picks 5 to 10 minutes) and re-opened from the last resource version it had: not a relist.")
	p("")
}

func verbSummary(m map[string]float64) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %.0f", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func readSummary(m map[string]float64) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s: %.0f", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func (r *results) gitTable(p func(string, ...any)) {
	p("## 4. Git repository growth")
	p("")
	p("| Objects recorded | After | Commits on the branch | .git size |")
	p("|---:|---|---:|---:|")
	for _, sz := range r.sizes() {
		g := sz.Git
		p("| %d | the initial snapshot | %d | %s |", sz.objects, g.AfterSnapshot.Commits, mib(g.AfterSnapshot.RepoBytes))
		p("| %d | + %d real changes (ConfigMap values, 100/s) | %d | %s |", sz.objects, g.RealChanges, g.AfterReal.Commits, mib(g.AfterReal.RepoBytes))
		p("| %d | + %d status-only and HPA scale updates (100/s) | %d | %s |", sz.objects, g.NoiseUpdates, g.AfterNoise.Commits, mib(g.AfterNoise.RepoBytes))
	}
	p("")
}

func (r *results) churnTable(p func(string, ...any)) {
	p("## 2. Steady churn: change → commit latency")
	p("")
	p("ConfigMap values changed at a fixed rate while `record` runs with `--batch-window %s`. Latency runs from the moment the API server accepted a change to the moment `record` logged the commit that contains it (every change is accounted for; uncommitted = not committed a minute after the churn stopped). CPU is `record`'s user+system time over wall time; RSS max is the recorder's steady state while it follows every object.", r.BatchWindow)
	p("")
	p("| Objects recorded | Target rate | Achieved | Duration | Changes | Commits | p50 | p95 | p99 | max | Uncommitted | CPU (cores) | RSS max (anonymous) |")
	p("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, sz := range r.sizes() {
		for _, c := range sz.Churn {
			p("| %d | %.0f/s | %.0f/s | %.0f s | %d | %d | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %d | %.2f | %s (%s) |",
				sz.objects, c.Rate, c.Achieved, c.Seconds, c.Changes, c.Commits, c.P50ms, c.P95ms, c.P99ms, c.MaxMs, c.Uncommitted, c.CPUCores, mib(c.RSSMax), mib(c.AnonMax))
		}
	}
	p("")
}

func (r *results) auditTable(p func(string, ...any)) {
	a := &r.Audit
	p("## 5. Audit with every bundled policy")
	p("")
	p("`clusterscribe audit --declared <manifests of every seeded object> --bundled-policies -o json`: lists the live objects, compares each with its declared manifest and evaluates the 20 bundled policies. `go run ./hack/bench -only audit` measures it alone on a freshly seeded control plane, after changing every ConfigMap once as the churn phases of a full run do.")
	p("")
	auditRows(p, a, r.AuditLarge)
}

func (r *results) microTable(p func(string, ...any)) {
	if len(r.Micro) == 0 {
		return
	}
	p("## Go micro-benchmarks")
	p("")
	p("`go test -run '^$' -bench . -benchmem` on the hot paths (one run; compare runs with benchstat).")
	p("")
	p("| Package | Benchmark | time/op | B/op | allocs/op |")
	p("|---|---|---:|---:|---:|")
	for _, m := range r.Micro {
		p("| %s | %s | %s | %.0f | %.0f |", m.Package, m.Name, nsString(m.NsPerOp), m.BytesPerOp, m.AllocsPerOp)
	}
	p("")
}

func nsString(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
