package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// snapshot is the initial snapshot at one cluster size.
type snapshot struct {
	Objects      int     `json:"seededObjects"`
	Files        int     `json:"recordedFiles"`
	Record       run     `json:"record"`
	RawDump      run     `json:"rawDump"`
	DumpedItems  int     `json:"rawDumpItems"`
	WallRatio    float64 `json:"wallRatio"`
	RSSPerObject float64 `json:"rssBytesPerObject"`
	RepoBytes    int64   `json:"repoBytes"`
	// RatioEach is the wall ratio of every run at this size, in the order
	// they ran; the snapshot is the median run.
	RatioEach []float64 `json:"wallRatioEachRun,omitempty"`
	// Limited is record --once in a memory cgroup limited to the peak RSS
	// target, at the sizes that have one.
	Limited *limitedRun `json:"inMemoryCgroup,omitempty"`
}

// snapshots measures record --once and the raw dump at a quarter, half and
// all of the objects, so growth per object shows.
func snapshots(ctx context.Context, c config, e *env, res *results) error {
	sr := res.at(c.objects)
	sr.Snapshots = nil
	for _, n := range []int{c.objects / 4, c.objects / 2, c.objects} {
		// The machine is shared: at the full size the median of three
		// runs (by wall ratio) is reported.
		tries := 1
		if n == c.objects {
			tries = benchRepeats
		}
		s, err := snapshotAt(ctx, c, e, n, tries)
		if err != nil {
			return err
		}
		sr.Snapshots = append(sr.Snapshots, s)
	}
	res.putScale(sr.Snapshots[len(sr.Snapshots)-1])
	return nil
}

// snapshotAt grows the cluster to n objects and measures the snapshot
// tries times; it returns the median run by wall ratio.
func snapshotAt(ctx context.Context, c config, e *env, n, tries int) (snapshot, error) {
	if err := e.seedTo(ctx, n); err != nil {
		return snapshot{}, err
	}
	var runs []snapshot
	var ratios []float64
	for i := range tries {
		s, err := measureSnapshot(ctx, c, e, n, fmt.Sprintf("snapshot-%d-%d", n, i+1))
		if err != nil {
			return snapshot{}, err
		}
		runs = append(runs, s)
		ratios = append(ratios, s.WallRatio)
	}
	slices.SortFunc(runs, func(a, b snapshot) int { return cmp.Compare(a.WallRatio, b.WallRatio) })
	s := runs[len(runs)/2]
	if tries > 1 {
		s.RatioEach = ratios
	}
	if limit := rssLimits[n]; limit > 0 {
		var err error
		s.Limited, err = limitedSnapshot(ctx, c.cli, e.kubeconfig, filepath.Join(c.out, fmt.Sprintf("limited-%d", n)), limit)
		if err != nil {
			fmt.Println("warning: not measured in a memory cgroup:", err)
		}
	}
	step("  %d objects: record --once %.2fs %s (%s anonymous), raw dump %.2fs %s (ratio %.2f)",
		n, s.Record.WallSec, mib(s.Record.PeakRSS), mib(s.Record.PeakAnon), s.RawDump.WallSec, mib(s.RawDump.PeakRSS), s.WallRatio)
	return s, nil
}

// benchRepeats is how many times the headline measurements run.
const benchRepeats = 3

func measureSnapshot(ctx context.Context, c config, e *env, n int, name string) (snapshot, error) {
	s := snapshot{Objects: n}
	dir := filepath.Join(c.out, name)
	self, err := os.Executable()
	if err != nil {
		return s, fmt.Errorf("find own binary: %w", err)
	}
	step("raw dump of %d objects (baseline)", n)
	var stdout strings.Builder
	s.RawDump, err = measure(ctx, dir+"-rawdump.log", &stdout, nil, self,
		"-rawdump-kubeconfig", e.kubeconfig, "-rawdump-out", dir+"-rawdump")
	if err != nil {
		return s, err
	}
	s.DumpedItems, _ = strconv.Atoi(strings.TrimSpace(stdout.String()))
	step("record --once of %d objects", n)
	repo := dir + "-repo"
	s.Record, err = measure(ctx, dir+"-record.log", nil, nil, c.cli,
		"record", "--kubeconfig", e.kubeconfig, "--repo", repo, "--cluster-name", "bench", "--once")
	if err != nil {
		return s, err
	}
	files, err := exec.Command("git", "-C", repo, "ls-tree", "-r", "--name-only", "clusterscribe/backup").Output()
	if err != nil {
		return s, fmt.Errorf("list recorded files: %w", err)
	}
	s.Files = len(strings.Fields(string(files)))
	if s.RepoBytes, err = dirSize(filepath.Join(repo, ".git")); err != nil {
		return s, err
	}
	s.WallRatio = s.Record.WallSec / s.RawDump.WallSec
	s.RSSPerObject = float64(s.Record.PeakRSS) / float64(max(s.Files, 1))
	return s, nil
}
