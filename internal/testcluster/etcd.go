package testcluster

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// etcdStartTimeout bounds how long a restarted etcd may take to answer
// /health.
const etcdStartTimeout = time.Minute

// RestartEtcd kills etcd with SIGKILL, as a crash of its node would,
// starts it again with the same flags and data directory, and returns once
// etcd and then kube-apiserver answer as healthy. kube-apiserver keeps
// running throughout; while etcd is down its requests fail and its watch
// caches may restart, so clients' watches can break off or expire (410
// Gone).
func (c *Cluster) RestartEtcd() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	args := c.etcdArgs
	if c.etcd != nil {
		if err := c.etcd.kill(); err != nil {
			return fmt.Errorf("restart etcd: %w", err)
		}
		c.etcd = nil
	} else {
		// Several clusters may run in one test process: this one's etcd
		// is the one with its data directory.
		pid, argv, err := childProcess("etcd", "--data-dir="+c.env.ControlPlane.Etcd.DataDir)
		if err != nil {
			return fmt.Errorf("restart etcd: %w", err)
		}
		args = argv
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			return fmt.Errorf("restart etcd: kill pid %d: %w", pid, err)
		}
		if err := waitGone(pid, apiServerStopTimeout); err != nil {
			return fmt.Errorf("restart etcd: %w", err)
		}
	}
	c.etcdArgs = args
	p, err := startChild("etcd", args[0], args[1:], nil, nil)
	if err != nil {
		return fmt.Errorf("restart etcd: %w", err)
	}
	c.etcd = p
	if err := waitEtcd(args, p.Done()); err != nil {
		return fmt.Errorf("restart etcd: %w", err)
	}
	if err := waitReady(c.Config, nil); err != nil {
		return fmt.Errorf("restart etcd: %w", err)
	}
	return nil
}

// waitEtcd polls etcd's /health on its first client URL (see pollOK).
func waitEtcd(args []string, exited <-chan struct{}) error {
	var url string
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--listen-client-urls="); ok {
			url, _, _ = strings.Cut(v, ",")
		}
	}
	if url == "" {
		return errors.New("etcd has no --listen-client-urls")
	}
	return pollOK(&http.Client{}, strings.TrimSuffix(url, "/")+"/health", "etcd", exited, etcdStartTimeout)
}

// childProcess finds a child of this process running a binary named name
// with flag among its arguments; it returns its pid and its whole command
// line.
func childProcess(name, flag string) (int, []string, error) {
	procs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return 0, nil, err
	}
	self := os.Getpid()
	for _, dir := range procs {
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil || parentOf(pid) != self {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil {
			continue
		}
		argv := strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00")
		if len(argv) == 0 || filepath.Base(argv[0]) != name {
			continue
		}
		for _, a := range argv[1:] {
			if a == flag {
				return pid, argv, nil
			}
		}
	}
	return 0, nil, fmt.Errorf("no running %s with %s among the children of pid %d (/proc is read to find it)", name, flag, self)
}
