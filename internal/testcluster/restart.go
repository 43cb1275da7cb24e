package testcluster

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
)

// How long a kube-apiserver may take to come up or go down.
const (
	apiServerStartTimeout = 2 * time.Minute
	apiServerStopTimeout  = 30 * time.Second
	// A graceful stop waits for open watches to end, up to a minute by
	// default (--shutdown-watch-termination-grace-period shortens it).
	apiServerGracefulStopTimeout = 90 * time.Second
)

// KillAPIServer kills kube-apiserver with SIGKILL, as a crash or an OOM
// kill would, and waits until it is gone. etcd keeps running, with all the
// data. Clients see connection errors until StartAPIServer; their watches
// break off.
func (c *Cluster) KillAPIServer() error {
	return c.downAPIServer(syscall.SIGKILL)
}

// StopAPIServer stops kube-apiserver gracefully (SIGTERM), as a rolling
// upgrade does, and waits until it is gone. The server lets open watches
// run for up to a minute first, unless it was started with a shorter
// --shutdown-watch-termination-grace-period.
func (c *Cluster) StopAPIServer() error {
	return c.downAPIServer(syscall.SIGTERM)
}

func (c *Cluster) downAPIServer(sig syscall.Signal) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.restarted != nil {
		p := c.restarted
		c.restarted = nil
		if sig == syscall.SIGKILL {
			return p.kill()
		}
		return p.stop()
	}
	if c.apiDown {
		return fmt.Errorf("%s kube-apiserver: it is not running", sig)
	}
	pid, args, err := c.envtestAPIServer()
	if err != nil {
		return fmt.Errorf("%s kube-apiserver: %w", sig, err)
	}
	c.apiArgs = args
	if err := syscall.Kill(pid, sig); err != nil {
		return fmt.Errorf("%s kube-apiserver (pid %d): %w", sig, pid, err)
	}
	timeout := apiServerStopTimeout
	if sig != syscall.SIGKILL {
		timeout = apiServerGracefulStopTimeout
	}
	if err := waitGone(pid, timeout); err != nil {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		return fmt.Errorf("%s kube-apiserver: %w", sig, err)
	}
	c.apiDown = true
	return nil
}

// StartAPIServer starts kube-apiserver again after KillAPIServer or
// StopAPIServer, with the
// flags it had: the same port, certificates and etcd, so existing clients
// and kubeconfigs work again. It returns once the server is ready.
func (c *Cluster) StartAPIServer() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.apiDown || c.restarted != nil {
		return errors.New("start kube-apiserver: it is running")
	}
	// The port was just freed: a start that finds it still held is retried.
	var err error
	for range 3 {
		var p *childProc
		if p, err = c.startAPIServerProc(c.apiArgs, c.Config); err == nil {
			c.restarted = p
			return nil
		}
		time.Sleep(time.Second)
	}
	return fmt.Errorf("start kube-apiserver: %w", err)
}

// EnsureAPIServer starts kube-apiserver again when KillAPIServer or
// StopAPIServer left it down, and does nothing when it runs: a test that
// takes a shared control plane's API server down calls it in its cleanup,
// so that the tests after it find the server up whatever happened.
func (c *Cluster) EnsureAPIServer() error {
	c.mu.Lock()
	down := c.apiDown && c.restarted == nil
	c.mu.Unlock()
	if !down {
		return nil
	}
	return c.StartAPIServer()
}

// RestartAPIServer is KillAPIServer then StartAPIServer.
func (c *Cluster) RestartAPIServer() error {
	if err := c.KillAPIServer(); err != nil {
		return err
	}
	return c.StartAPIServer()
}

// PeerAPIServer is a second kube-apiserver over the cluster's etcd, with
// the same certificates and users: the way to change the cluster while the
// first one is down, as in a highly available control plane.
type PeerAPIServer struct {
	// Config is an admin client configuration for the peer.
	Config *rest.Config
	proc   *childProc
}

// StartPeerAPIServer starts a PeerAPIServer on a free port with the flags
// of the cluster's kube-apiserver, overridden or extended by args (flag
// names without dashes, e.g. "etcd-compaction-interval": "1s"). It returns
// once the peer is ready. Cluster.Stop stops it too.
func (c *Cluster) StartPeerAPIServer(args map[string]string) (*PeerAPIServer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	base := c.apiArgs
	if base == nil {
		_, found, err := c.envtestAPIServer()
		if err != nil {
			return nil, fmt.Errorf("start peer kube-apiserver: %w", err)
		}
		base, c.apiArgs = found, found
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("start peer kube-apiserver: %w", err)
	}
	flags := map[string]string{"secure-port": strconv.Itoa(port)}
	for k, v := range args {
		flags[k] = v
	}
	cfg := rest.CopyConfig(c.Config)
	cfg.Host = "https://" + net.JoinHostPort(c.env.ControlPlane.APIServer.Address, strconv.Itoa(port))
	p, err := c.startAPIServerProc(withFlags(base, flags), cfg)
	if err != nil {
		return nil, fmt.Errorf("start peer kube-apiserver: %w", err)
	}
	peer := &PeerAPIServer{Config: cfg, proc: p}
	c.peers = append(c.peers, peer)
	return peer, nil
}

// Kill kills the peer with SIGKILL and waits until it is gone.
func (p *PeerAPIServer) Kill() error {
	return p.proc.kill()
}

// startAPIServerProc runs kube-apiserver with args and waits until it
// answers /readyz through cfg.
func (c *Cluster) startAPIServerProc(args []string, cfg *rest.Config) (*childProc, error) {
	api := c.env.ControlPlane.APIServer
	p, err := startChild("kube-apiserver", api.Path, args, api.Out, api.Err)
	if err != nil {
		return nil, err
	}
	if err := waitReady(cfg, p.Done()); err != nil {
		_ = p.kill()
		return nil, err
	}
	return p, nil
}

// waitReady polls /readyz until it answers 200, the process exits or the
// start timeout passes.
func waitReady(cfg *rest.Config, exited <-chan struct{}) error {
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return fmt.Errorf("client for %s: %w", cfg.Host, err)
	}
	return pollOK(client, strings.TrimSuffix(cfg.Host, "/")+"/readyz", "kube-apiserver", exited, apiServerStartTimeout)
}

// pollOK polls url until it answers 200, the process of what exits or
// timeout passes.
func pollOK(client *http.Client, url, what string, exited <-chan struct{}, timeout time.Duration) error {
	client.Timeout = 5 * time.Second
	deadline := time.After(timeout)
	var last string
	for {
		resp, err := client.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-exited:
			return fmt.Errorf("%s exited before it was ready (last %s: %s)", what, url, last)
		case <-deadline:
			return fmt.Errorf("%s not ready after %s (last %s: %s)", what, timeout, url, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stopAPIServers kills the kube-apiservers started here: peers and the
// restarted one. envtest stops only the one it started.
func (c *Cluster) stopAPIServers() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	// No grace: etcd and its data go next.
	for _, p := range c.peers {
		errs = append(errs, p.proc.kill())
	}
	c.peers = nil
	if c.restarted != nil {
		errs = append(errs, c.restarted.kill())
		c.restarted = nil
	}
	return errors.Join(errs...)
}

// envtestAPIServer finds the kube-apiserver envtest started: a child of
// this process running the API server binary on the cluster's port. It
// returns its pid and flags.
func (c *Cluster) envtestAPIServer() (int, []string, error) {
	api := c.env.ControlPlane.APIServer
	pid, argv, err := childProcess(filepath.Base(api.Path), "--secure-port="+api.Port)
	if err != nil {
		return 0, nil, err
	}
	return pid, argv[1:], nil
}

// parentOf returns the parent pid of pid, -1 when unknown.
func parentOf(pid int) int {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return -1
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return -1
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 2 {
		return -1
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return -1
	}
	return ppid
}

// waitGone waits until pid has exited (a zombie counts as exited).
func waitGone(pid int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		if err != nil {
			return nil
		}
		s := string(raw)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			if f := strings.Fields(s[i+1:]); len(f) > 0 && (f[0] == "Z" || f[0] == "X") {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pid %d still running %s after the signal", pid, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// withFlags returns args with each "--name=value" in flags replacing the
// flag of that name, or appended when args have none.
func withFlags(args []string, flags map[string]string) []string {
	out := make([]string, 0, len(args)+len(flags))
	done := map[string]bool{}
	for _, a := range args {
		name, _, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if v, ok := flags[name]; ok && strings.HasPrefix(a, "--") {
			if !done[name] {
				out = append(out, "--"+name+"="+v)
				done[name] = true
			}
			continue
		}
		out = append(out, a)
	}
	for name, v := range flags {
		if !done[name] {
			out = append(out, "--"+name+"="+v)
		}
	}
	return out
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}
