package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// run is one finished command: wall time, peak RSS and CPU time.
type run struct {
	Wall    time.Duration `json:"-"`
	WallSec float64       `json:"wallSeconds"`
	PeakRSS int64         `json:"peakRSSBytes"`
	// PeakAnon is the largest anonymous RSS seen (sampled every 10 ms):
	// the heap and stacks, without the executable's file-backed pages.
	PeakAnon int64   `json:"peakAnonymousRSSBytes"`
	CPUSec   float64 `json:"cpuSeconds"`
}

func finish(start time.Time, ps *os.ProcessState) run {
	r := run{Wall: time.Since(start)}
	r.WallSec = r.Wall.Seconds()
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		r.PeakRSS = ru.Maxrss * 1024 // kilobytes on Linux
		r.CPUSec = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	return r
}

// measure runs name with args to completion, stderr into logFile, and
// returns its wall time, peak RSS and CPU. okCodes are exit codes that are
// not failures (audit exits 1 when it finds drift).
func measure(ctx context.Context, logFile string, stdout io.Writer, okCodes []int, name string, args ...string) (run, error) {
	f, err := os.Create(logFile)
	if err != nil {
		return run{}, fmt.Errorf("create log: %w", err)
	}
	defer func() { _ = f.Close() }()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = stdout, f
	if stdout == nil {
		cmd.Stdout = f
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return run{}, fmt.Errorf("%s: %w", filepath.Base(name), err)
	}
	peakAnon := make(chan int64, 1)
	done := make(chan struct{})
	go func() { peakAnon <- pollAnon(cmd.Process.Pid, done) }()
	err = cmd.Wait()
	close(done)
	r := finish(start, cmd.ProcessState)
	r.PeakAnon = <-peakAnon
	if err != nil {
		code := cmd.ProcessState.ExitCode()
		for _, ok := range okCodes {
			if code == ok {
				return r, nil
			}
		}
		return r, fmt.Errorf("%s %s: %w (see %s)", filepath.Base(name), strings.Join(args[:min(2, len(args))], " "), err, logFile)
	}
	return r, nil
}

// pollAnon samples a process's anonymous RSS until done; it returns the
// largest value seen.
func pollAnon(pid int, done <-chan struct{}) int64 {
	var peak int64
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		if s, err := sampleProc(pid); err == nil {
			peak = max(peak, s.Anon)
		}
		select {
		case <-done:
			return peak
		case <-t.C:
		}
	}
}

// procSample is what /proc says about a running process.
type procSample struct {
	At     time.Time
	CPU    time.Duration // user + system since start
	RSS    int64
	PeakRS int64 // VmHWM: the peak so far
	Anon   int64 // RssAnon: heap and stacks, not the executable's pages
}

func sampleProc(pid int) (procSample, error) {
	s := procSample{At: time.Now()}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, fmt.Errorf("read stat: %w", err)
	}
	// Fields after the parenthesized command name; utime and stime are the
	// 14th and 15th fields of the whole line.
	rest := string(stat[strings.LastIndexByte(string(stat), ')')+2:])
	fields := strings.Fields(rest)
	if len(fields) < 13 {
		return s, fmt.Errorf("short /proc/%d/stat", pid)
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	s.CPU = time.Duration(utime+stime) * time.Second / ticks
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, fmt.Errorf("read status: %w", err)
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			s.RSS = kb * 1024
		case "VmHWM":
			s.PeakRS = kb * 1024
		case "RssAnon":
			s.Anon = kb * 1024
		}
	}
	return s, nil
}

// dirSize is the total size of the regular files under dir.
func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			total += info.Size()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("size of %s: %w", dir, err)
	}
	return total, nil
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
