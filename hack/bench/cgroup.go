package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// limitedRun is `record --once` inside a memory cgroup whose limit is the
// peak RSS target, as a container with that memory limit runs it: the
// kernel counts the process's anonymous memory and the page cache of what
// it reads (its executable included) against the limit, reclaims the page
// cache under pressure and kills the process when nothing more can be
// reclaimed. record reads the limit and keeps its heap under 90% of it
// (internal/memlimit).
type limitedRun struct {
	LimitBytes int64 `json:"limitBytes"`
	// Completed: the snapshot was committed and nothing was killed.
	Completed bool `json:"completed"`
	OOMKills  int  `json:"oomKills"`
	Run       run  `json:"record"`
	// MaxUsage is the cgroup's own peak (memory.max_usage_in_bytes, or
	// memory.peak on cgroup v2): what the limit was compared with.
	MaxUsage int64 `json:"cgroupMaxUsageBytes"`
	Files    int   `json:"recordedFiles"`
}

// memoryCgroup is a child memory cgroup of this machine's root one.
type memoryCgroup struct {
	dir string
	v2  bool
}

// newMemoryCgroup creates a memory cgroup limited to limit bytes; it
// needs a writable cgroup file system (root).
func newMemoryCgroup(name string, limit int64) (*memoryCgroup, error) {
	cg := &memoryCgroup{dir: filepath.Join("/sys/fs/cgroup/memory", name)}
	limitFile := "memory.limit_in_bytes"
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		cg = &memoryCgroup{dir: filepath.Join("/sys/fs/cgroup", name), v2: true}
		limitFile = "memory.max"
	}
	_ = os.Remove(cg.dir)
	if err := os.Mkdir(cg.dir, 0o755); err != nil {
		return nil, fmt.Errorf("memory cgroup (needs a writable cgroup file system, as root): %w", err)
	}
	if err := os.WriteFile(filepath.Join(cg.dir, limitFile), []byte(strconv.FormatInt(limit, 10)), 0o644); err != nil {
		_ = os.Remove(cg.dir)
		return nil, fmt.Errorf("memory cgroup limit: %w", err)
	}
	return cg, nil
}

// command runs name inside the cgroup: a shell joins it, then becomes name.
func (cg *memoryCgroup) command(name string, args ...string) (string, []string) {
	return "/bin/sh", append([]string{"-c", `echo $$ > "$0/cgroup.procs" && exec "$@"`, cg.dir, name}, args...)
}

// usage reads the cgroup's peak usage and how many processes the kernel
// killed in it for memory.
func (cg *memoryCgroup) usage() (peak int64, oomKills int) {
	peakFile, events := "memory.max_usage_in_bytes", "memory.oom_control"
	if cg.v2 {
		peakFile, events = "memory.peak", "memory.events"
	}
	if data, err := os.ReadFile(filepath.Join(cg.dir, peakFile)); err == nil {
		peak, _ = strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	}
	if data, err := os.ReadFile(filepath.Join(cg.dir, events)); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if k, v, ok := strings.Cut(line, " "); ok && k == "oom_kill" {
				oomKills, _ = strconv.Atoi(v)
			}
		}
	}
	return peak, oomKills
}

func (cg *memoryCgroup) remove() { _ = os.Remove(cg.dir) }

// onlyLimited measures record --once in a memory cgroup against a running
// cluster (e.g. one `make bench` or -keep seeded with -n objects) and puts
// it in the results' row for -n objects.
func onlyLimited(ctx context.Context, c config, kubeconfig string) error {
	r, err := earlierResultsAbs(&c)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(r.Scale, func(s scaleRow) bool { return s.Objects == c.objects })
	if i < 0 {
		r.putScale(snapshot{Objects: c.objects})
		i = slices.IndexFunc(r.Scale, func(s scaleRow) bool { return s.Objects == c.objects })
	}
	limit := rssLimits[c.objects]
	if limit == 0 {
		return fmt.Errorf("-n %d: no peak RSS target at that size", c.objects)
	}
	lr, err := limitedSnapshot(ctx, c.cli, kubeconfig, filepath.Join(c.out, fmt.Sprintf("limited-%d", c.objects)), limit)
	if err != nil {
		return err
	}
	r.Scale[i].Limited = lr
	return r.write(c.markdown, c.jsonOut)
}

// limitedSnapshot runs record --once of the cluster in a memory cgroup
// limited to limit bytes.
func limitedSnapshot(ctx context.Context, cli, kubeconfig, dir string, limit int64) (*limitedRun, error) {
	cg, err := newMemoryCgroup(filepath.Base(dir), limit)
	if err != nil {
		return nil, err
	}
	defer cg.remove()
	step("record --once in a memory cgroup limited to %s", mib(limit))
	repo := dir + "-repo"
	_ = os.RemoveAll(repo)
	name, args := cg.command(cli, "record", "--kubeconfig", kubeconfig, "--repo", repo, "--cluster-name", "bench", "--once")
	lr := &limitedRun{LimitBytes: limit}
	lr.Run, err = measure(ctx, dir+"-record.log", nil, nil, name, args...)
	lr.MaxUsage, lr.OOMKills = cg.usage()
	if err != nil && lr.OOMKills == 0 {
		return nil, err // killed for memory is a result; anything else is not
	}
	files, err := exec.CommandContext(ctx, "git", "-C", repo, "ls-tree", "-r", "--name-only", "clusterscribe/backup").Output()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, fmt.Errorf("list recorded files: %w", err)
	}
	lr.Files = len(strings.Fields(string(files)))
	lr.Completed = lr.OOMKills == 0 && lr.Files > 0
	step("  %s: %.2fs, cgroup peak %s, process peak RSS %s (%s anonymous), %d OOM kills",
		map[bool]string{true: "completed", false: "FAILED"}[lr.Completed], lr.Run.WallSec, mib(lr.MaxUsage), mib(lr.Run.PeakRSS), mib(lr.Run.PeakAnon), lr.OOMKills)
	return lr, nil
}
