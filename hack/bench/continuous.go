package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

type gitState struct {
	Commits   int   `json:"commits"`
	RepoBytes int64 `json:"repoBytes"`
}

type gitGrowth struct {
	AfterSnapshot gitState `json:"afterSnapshot"`
	AfterReal     gitState `json:"after1000RealChanges"`
	AfterNoise    gitState `json:"after1000StatusAndScaleUpdates"`
	RealChanges   int      `json:"realChanges"`
	NoiseUpdates  int      `json:"noiseUpdates"`
}

type churnResult struct {
	Rate        float64            `json:"targetRatePerSecond"`
	Achieved    float64            `json:"achievedRatePerSecond"`
	Seconds     float64            `json:"seconds"`
	Changes     int                `json:"changes"`
	Commits     int                `json:"commits"`
	P50ms       float64            `json:"p50ms"`
	P95ms       float64            `json:"p95ms"`
	P99ms       float64            `json:"p99ms"`
	MaxMs       float64            `json:"maxMs"`
	Uncommitted int                `json:"uncommitted"`
	CPUCores    float64            `json:"cpuCores"`
	RSSMax      int64              `json:"rssMaxBytes"`
	AnonMax     int64              `json:"anonymousRSSMaxBytes"`
	Reads       map[string]float64 `json:"readRequests"`
}

type apiLoad struct {
	Kinds       int                `json:"watchedKinds"`
	Requests    map[string]float64 `json:"requests"`
	OpenWatches map[string]float64 `json:"openWatches"`
	ByVerb      map[string]float64 `json:"byVerb"`
	OnePerKind  bool               `json:"oneListAndWatchPerKind"`
}

// continuous runs `record` against the full cluster: API load at start,
// Git growth under real and noise changes, then steady churn.
func continuous(ctx context.Context, c config, e *env, res *results) error {
	repo := filepath.Join(c.out, "backup")
	_, beforeOpen, err := scrapeRequests(ctx, e.cs)
	if err != nil {
		return err
	}
	if err := e.audit.mark(); err != nil {
		return err
	}
	step("record (continuous, --batch-window %s)", c.batchWindow)
	rec, err := startRecorder(ctx, c.cli, e.kubeconfig, repo, filepath.Join(c.out, "record.log"),
		"--cluster-name", "bench", "--batch-window", c.batchWindow.String())
	if err != nil {
		return err
	}
	defer func() { _ = rec.stop() }()
	pprofAddr, err := awaitSnapshot(ctx, rec)
	if err != nil {
		return err
	}
	time.Sleep(3 * time.Second) // let every watch open
	_, afterOpen, err := scrapeRequests(ctx, e.cs)
	if err != nil {
		return err
	}
	made, err := e.audit.since()
	if err != nil {
		return err
	}
	sr := res.at(e.seeded)
	sr.Start = startLoad(made, afterOpen.minus(beforeOpen))
	step("  at start: %v; open watches on %d kinds", sr.Start.ByVerb, len(sr.Start.OpenWatches))

	ch := &churner{cs: e.cs, cluster: "bench", n: e.seeded}
	if err := realAndNoise(ctx, c, ch, rec, repo, &sr.Git); err != nil {
		return err
	}
	for _, rate := range c.rates {
		r, err := churn(ctx, c, e, ch, rec, rate, pprofAddr)
		if err != nil {
			return err
		}
		sr.Churn = append(sr.Churn, r)
	}
	if err := rec.profile(pprofAddr, "heap", filepath.Join(c.out, "record-heap.pb.gz")); err != nil {
		return err
	}
	return rec.stop()
}

// awaitSnapshot waits until the recorder serves its profiles and has
// recorded its initial snapshot, and returns the profiles' address.
func awaitSnapshot(ctx context.Context, rec *liveRecorder) (string, error) {
	var pprofAddr string
	select {
	case pprofAddr = <-rec.pprofAddr:
	case <-rec.exited:
		return "", fmt.Errorf("record exited at start (see %s)", rec.logFile.Name())
	case <-time.After(time.Minute):
		return "", fmt.Errorf("record did not start (see %s)", rec.logFile.Name())
	}
	select {
	case <-rec.synced:
	case <-rec.exited:
		return "", fmt.Errorf("record exited before its initial snapshot (see %s)", rec.logFile.Name())
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return pprofAddr, nil
}

// realAndNoise makes 1,000 real changes, then 1,000 status-only and
// scale updates, and notes the repository after the snapshot and after
// each.
func realAndNoise(ctx context.Context, c config, ch *churner, rec *liveRecorder, repo string, g *gitGrowth) error {
	var err error
	if g.AfterSnapshot, err = gitStateOf(repo); err != nil {
		return err
	}
	step("1,000 real changes")
	if _, err := paced(ctx, 100, 1000, func(ctx context.Context, i int) error { return ch.realChange(ctx, i, rec) }); err != nil {
		return err
	}
	if left := rec.settle(time.Minute); left > 0 {
		return fmt.Errorf("%d real changes not committed after a minute (see %s)", left, rec.logFile.Name())
	}
	g.RealChanges = 1000
	if g.AfterReal, err = gitStateOf(repo); err != nil {
		return err
	}
	step("1,000 status-only and HPA scale updates")
	if _, err := paced(ctx, 100, 1000, ch.noiseChange); err != nil {
		return err
	}
	time.Sleep(3 * c.batchWindow)
	g.NoiseUpdates = 1000
	if g.AfterNoise, err = gitStateOf(repo); err != nil {
		return err
	}
	step("  commits: %d after the snapshot, %d after 1,000 real changes, %d after 1,000 noise updates",
		g.AfterSnapshot.Commits, g.AfterReal.Commits, g.AfterNoise.Commits)
	_, _, _, _ = rec.take()
	return nil
}

// startLoad checks clusterscribe's requests at start: per kind one WATCH
// and at most one paginated LIST (none when the initial list is streamed
// over the watch), and nothing but reads.
func startLoad(made, open apiCounts) apiLoad {
	l := apiLoad{Requests: made.perResource(), OpenWatches: open.only("WATCH").perResource(), ByVerb: made.byVerb()}
	watches := made.only("watch")
	l.Kinds = len(watches)
	l.OnePerKind = len(watches) > 0
	for k, v := range made {
		switch k.Verb {
		case "watch":
			if v != 1 {
				l.OnePerKind = false
			}
		case "list":
			if watches[requestKey{Verb: "watch", Resource: k.Resource}] != 1 {
				l.OnePerKind = false
			}
		case "get":
		default:
			l.OnePerKind = false // a write
		}
	}
	return l
}

func gitStateOf(repo string) (gitState, error) {
	out, err := exec.Command("git", "-C", repo, "rev-list", "--count", "clusterscribe/backup").Output()
	if err != nil {
		return gitState{}, fmt.Errorf("count commits: %w", err)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	size, err := dirSize(filepath.Join(repo, ".git"))
	return gitState{Commits: n, RepoBytes: size}, err
}

func churn(ctx context.Context, c config, e *env, ch *churner, rec *liveRecorder, rate float64, pprofAddr string) (churnResult, error) {
	r := churnResult{Rate: rate}
	total := int(rate * c.churn.Seconds())
	step("churn: %d changes at %.0f/s", total, rate)
	if err := e.audit.mark(); err != nil {
		return r, err
	}
	commits0, _, _, _ := rec.take()
	first, err := sampleProc(rec.pid())
	if err != nil {
		return r, err
	}
	stopSampling := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-t.C:
				if s, err := sampleProc(rec.pid()); err == nil {
					r.RSSMax = max(r.RSSMax, s.RSS)
					r.AnonMax = max(r.AnonMax, s.Anon)
				}
			}
		}
	})
	if rate == c.rates[len(c.rates)-1] {
		wg.Go(func() {
			seconds := min(30, int(c.churn.Seconds()/2))
			file := filepath.Join(c.out, fmt.Sprintf("record-cpu-%.0f.pb.gz", rate))
			if err := rec.profile(pprofAddr, fmt.Sprintf("profile?seconds=%d", seconds), file); err != nil {
				fmt.Println("warning: cpu profile:", err)
			}
		})
	}
	start := time.Now()
	r.Achieved, err = paced(ctx, rate, total, func(ctx context.Context, i int) error { return ch.realChange(ctx, i, rec) })
	if err != nil {
		close(stopSampling)
		wg.Wait()
		return r, err
	}
	r.Uncommitted = rec.settle(time.Minute)
	r.Seconds = time.Since(start).Seconds()
	last, err := sampleProc(rec.pid())
	close(stopSampling)
	wg.Wait()
	if err != nil {
		return r, err
	}
	r.CPUCores = (last.CPU - first.CPU).Seconds() / last.At.Sub(first.At).Seconds()
	made, err := e.audit.since()
	if err != nil {
		return r, err
	}
	r.Reads = made.perResource()
	commits1, _, lat, _ := rec.take()
	r.Commits = commits1 - commits0
	r.Changes = len(lat) + r.Uncommitted
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	r.P50ms, r.P95ms, r.P99ms = ms(percentile(lat, 0.50)), ms(percentile(lat, 0.95)), ms(percentile(lat, 0.99))
	if len(lat) > 0 {
		r.MaxMs = ms(lat[len(lat)-1])
	}
	step("  %.0f/s: p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, %d commits, %.2f cores, RSS max %s",
		r.Achieved, r.P50ms, r.P95ms, r.P99ms, r.Commits, r.CPUCores, mib(r.RSSMax))
	return r, nil
}
