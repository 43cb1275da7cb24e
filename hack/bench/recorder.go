package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// liveRecorder is `clusterscribe record` running, with every commit it
// logs matched against the changes the benchmark made.
type liveRecorder struct {
	cmd       *exec.Cmd
	repo      string
	logFile   *os.File
	exited    chan struct{}
	synced    chan struct{}
	pprofAddr chan string

	mu        sync.Mutex
	pending   map[string][]time.Time // path -> when each uncommitted change was accepted
	latencies []time.Duration
	commits   int
	files     int
}

func startRecorder(ctx context.Context, cli, kubeconfig, repo, logPath string, args ...string) (*liveRecorder, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create record log: %w", err)
	}
	full := append([]string{"record", "--kubeconfig", kubeconfig, "--repo", repo, "--log-format", "json", "--pprof-addr", "127.0.0.1:0"}, args...)
	cmd := exec.CommandContext(ctx, cli, full...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = time.Minute
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("record stderr: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start record: %w", err)
	}
	r := &liveRecorder{
		cmd: cmd, repo: repo, logFile: f,
		exited: make(chan struct{}), synced: make(chan struct{}), pprofAddr: make(chan string, 1),
		pending: map[string][]time.Time{},
	}
	go r.follow(stderr)
	return r, nil
}

type logLine struct {
	Time    time.Time `json:"time"`
	Msg     string    `json:"msg"`
	Commit  string    `json:"commit"`
	Address string    `json:"address"`
}

// follow reads record's JSON log: commits are matched with pending changes.
func (r *liveRecorder) follow(stderr io.Reader) {
	defer close(r.exited)
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	syncedOnce := sync.Once{}
	for sc.Scan() {
		line := sc.Bytes()
		_, _ = r.logFile.Write(append(slices.Clone(line), '\n'))
		var l logLine
		if json.Unmarshal(line, &l) != nil {
			continue
		}
		switch l.Msg {
		case "serving pprof":
			r.pprofAddr <- l.Address
		case "initial snapshot recorded":
			syncedOnce.Do(func() { close(r.synced) })
		case "committed":
			r.committed(l.Commit, l.Time)
		}
	}
}

func (r *liveRecorder) committed(commit string, at time.Time) {
	cmd := exec.Command("git", "-C", r.repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "--root", commit)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "warning: read commit %s: %v: %s\n", commit, err, stderr.String())
		return
	}
	paths := strings.Fields(string(out))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.commits++
	r.files += len(paths)
	for _, p := range paths {
		for _, t := range r.pending[p] {
			r.latencies = append(r.latencies, at.Sub(t))
		}
		delete(r.pending, p)
	}
}

// changed notes a change the API server accepted at t, expected in path.
func (r *liveRecorder) changed(path string, t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending[path] = append(r.pending[path], t)
}

// counters returns commits and files so far and resets the latencies.
func (r *liveRecorder) take() (commits, files int, lat []time.Duration, pending int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	lat, r.latencies = r.latencies, nil
	for _, ts := range r.pending {
		pending += len(ts)
	}
	return r.commits, r.files, lat, pending
}

// settle waits until every change made so far is committed (or limit).
func (r *liveRecorder) settle(limit time.Duration) (pending int) {
	deadline := time.Now().Add(limit)
	for {
		r.mu.Lock()
		pending = 0
		for _, ts := range r.pending {
			pending += len(ts)
		}
		r.mu.Unlock()
		if pending == 0 || time.Now().After(deadline) {
			return pending
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (r *liveRecorder) pid() int { return r.cmd.Process.Pid }

// profile saves a pprof profile (e.g. "heap", "profile?seconds=30").
func (r *liveRecorder) profile(addr, which, file string) error {
	resp, err := http.Get(addr + which) //nolint:noctx // loopback, bounded by the profile's own duration
	if err != nil {
		return fmt.Errorf("get profile: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("create profile file: %w", err)
	}
	defer func() { _ = f.Close() }()
	if _, err := io.Copy(f, resp.Body); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	return nil
}

// stop sends SIGTERM and waits for the final commit and exit.
func (r *liveRecorder) stop() error {
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	<-r.exited
	err := r.cmd.Wait()
	_ = r.logFile.Close()
	if err != nil {
		return fmt.Errorf("record exited: %w (see %s)", err, r.logFile.Name())
	}
	return nil
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)-1))
	return sorted[i]
}
