package testcluster

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// childProc is a control plane process started here rather than by
// envtest: a restarted or peer kube-apiserver, kube-controller-manager,
// kube-scheduler or kwok.
type childProc struct {
	*testkit.Background
	name string
	cmd  *exec.Cmd
}

// startChild runs path with args in a process group of its own, which the
// kernel kills when this process dies, so that no control plane process
// outlives a test binary that crashed.
func startChild(name, path string, args []string, stdout, stderr io.Writer) (*childProc, error) {
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = childAttrs()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", path, err)
	}
	p := &childProc{name: name, cmd: cmd}
	p.Background = testkit.Start(name, func() { _ = cmd.Process.Signal(syscall.SIGTERM) }, cmd.Wait)
	return p, nil
}

// kill sends SIGKILL and waits for the exit.
func (p *childProc) kill() error {
	if done, _ := p.Exited(); done {
		return nil
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", p.name, err)
	}
	select {
	case <-p.Done():
		return nil
	case <-time.After(apiServerStopTimeout):
		return fmt.Errorf("%s (pid %d) still running %s after SIGKILL", p.name, p.cmd.Process.Pid, apiServerStopTimeout)
	}
}

// stop ends the process with SIGTERM, then SIGKILL when it lingers.
func (p *childProc) stop() error {
	if done, _ := p.Exited(); done {
		return nil
	}
	p.Cancel()
	select {
	case <-p.Done():
		return nil
	case <-time.After(apiServerGracefulStopTimeout):
		return p.kill()
	}
}
