package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// scaleRow is the initial snapshot at one cluster size, kept across runs
// at different -n so that sizes compare side by side.
type scaleRow struct {
	snapshot
	// FileBacked is the peak RSS not accounted for by anonymous memory:
	// the executable's pages (and any other mapped file).
	FileBacked int64 `json:"fileBackedRSSBytes"`
}

// putScale records s as the row for its size, replacing an earlier one.
func (r *results) putScale(s snapshot) {
	row := scaleRow{snapshot: s, FileBacked: s.Record.PeakRSS - s.Record.PeakAnon}
	r.Scale = slices.DeleteFunc(r.Scale, func(o scaleRow) bool { return o.Objects == s.Objects })
	r.Scale = append(r.Scale, row)
	slices.SortFunc(r.Scale, func(a, b scaleRow) int { return cmp.Compare(a.Objects, b.Objects) })
}

// onlySnapshot seeds a fresh control plane and measures record --once
// next to the raw dump at a tenth of -n and at -n (the median of three
// runs each), updating only those rows of the scale table.
func onlySnapshot(ctx context.Context, c config) (err error) {
	r, e, err := startAlone(ctx, &c)
	if err != nil {
		return err
	}
	defer e.stop()
	step("fixed cost: clusterscribe version")
	if r.Idle, err = measure(ctx, filepath.Join(c.out, "idle.log"), nil, nil, c.cli, "version"); err != nil {
		return err
	}
	for _, n := range []int{c.objects / 10, c.objects} {
		s, err := snapshotAt(ctx, c, e, n, benchRepeats)
		if err != nil {
			return err
		}
		r.putScale(s)
		if err := profileSnapshot(ctx, c, e, n); err != nil {
			return err
		}
		// Written after each size: the larger one takes long.
		if err := r.write(c.markdown, c.jsonOut); err != nil {
			return err
		}
	}
	return nil
}

// scaleTable puts the initial snapshot at every size measured side by
// side, with the growth per object from one size to the next.
func (r *results) scaleTable(p func(string, ...any)) {
	if len(r.Scale) == 0 {
		return
	}
	p("## 1b. Initial snapshot by cluster size")
	p("")
	p("`record --once` at each size measured (`go run ./hack/bench -only snapshot -n N` measures N/10 and N; `make bench` its own N), the median of three runs by wall ratio. Peak RSS is what a container's memory limit counts of the process: anonymous memory (heap, stacks) plus the executable's file-backed pages. Growth is the extra peak RSS per extra recorded file from the row above.")
	p("")
	p("| Objects seeded | Files recorded | record wall | peak RSS | anonymous | file-backed | RSS per object | growth per object | raw dump wall | wall ratio | peak RSS target | in a memory cgroup of the target |")
	p("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
	for i, s := range r.Scale {
		growth := "—"
		if i > 0 {
			a := r.Scale[i-1]
			growth = fmt.Sprintf("%.0f B", float64(s.Record.PeakRSS-a.Record.PeakRSS)/float64(max(s.Files-a.Files, 1)))
		}
		p("| %d | %d | %.2f s | %s | %s | %s | %.0f B | %s | %.2f s | %.2f×%s | %s | %s |", s.Objects, s.Files, s.Record.WallSec,
			mib(s.Record.PeakRSS), mib(s.Record.PeakAnon), mib(s.FileBacked), s.RSSPerObject, growth, s.RawDump.WallSec, s.WallRatio, ratios(s.RatioEach), rssTarget(s), limitedText(s.Limited))
	}
	p("")
	p("In a memory cgroup: `record --once` run once more inside a memory cgroup whose limit is the target, as a container with that memory limit runs it. The kernel counts anonymous memory and the page cache of what the process reads (its executable included) against the limit, reclaims page cache under pressure and kills the process only when nothing more can be reclaimed; record reads the limit and keeps its heap under 90%% of it (internal/memlimit), so the garbage collector works harder instead of letting the heap double. The wall time is the price of that.")
	p("")
}

// rssTarget is the peak RSS target for a size that has one (100 MB at
// 10,000 objects, 300 MB at 100,000) and whether it is met.
func rssTarget(s scaleRow) string {
	limit := rssLimits[s.Objects]
	if limit == 0 {
		return "—"
	}
	return fmt.Sprintf("≤ %d MB: %s", limit/1e6, verdict(s.Record.PeakRSS <= limit))
}

// limitedText says how record --once did in a memory cgroup.
func limitedText(l *limitedRun) string {
	switch {
	case l == nil:
		return "—"
	case !l.Completed:
		return fmt.Sprintf("**failed** (%d OOM kills, %d files)", l.OOMKills, l.Files)
	}
	return fmt.Sprintf("completed in %.2f s; cgroup peak %s, anonymous peak %s", l.Run.WallSec, mib(l.MaxUsage), mib(l.Run.PeakAnon))
}

// rssLimits is the peak RSS target of record --once by cluster size.
var rssLimits = map[int]int64{10000: 100e6, 100000: 300e6}

// rssLimitText says the target at n objects: "≤ 100 MB at 10,000 objects".
func rssLimitText(n int) string {
	return fmt.Sprintf("≤ %d MB at %d objects", rssLimits[n]/1e6, n)
}

// profileSnapshot runs record --once once more with its profiling endpoint
// and keeps the heap profile taken (every half second) when its anonymous
// memory was highest, as heap-<n>.pb.gz in the output directory.
func profileSnapshot(ctx context.Context, c config, e *env, n int) error {
	step("record --once of %d objects with heap profiles", n)
	dir := filepath.Join(c.out, fmt.Sprintf("profile-%d", n))
	rec, err := startRecorder(ctx, c.cli, e.kubeconfig, dir+"-repo", dir+"-record.log", "--cluster-name", "bench", "--once")
	if err != nil {
		return err
	}
	var addr string
	select {
	case addr = <-rec.pprofAddr:
	case <-rec.exited:
		return rec.stop()
	}
	best, file := int64(-1), filepath.Join(c.out, fmt.Sprintf("heap-%d.pb.gz", n))
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for done := false; !done; {
		select {
		case <-rec.exited:
			done = true
		case <-tick.C:
			tmp := file + ".tmp"
			if rec.profile(addr, "heap", tmp) != nil {
				continue
			}
			if ps, err := sampleProc(rec.pid()); err == nil && ps.Anon > best {
				best = ps.Anon
				_ = os.Rename(tmp, file)
			}
		}
	}
	_ = os.Remove(file + ".tmp")
	step("  heap profile at %s anonymous: %s", mib(best), file)
	return rec.stop()
}
