package testcluster

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// childProc is a control plane process started here rather than by
// envtest: a restarted or peer kube-apiserver, kube-controller-manager,
// kube-scheduler or kwok.
type childProc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited
	err  error         // its exit status, set when done is closed
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
	p := &childProc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.err = cmd.Wait()
	}()
	return p, nil
}

// exited reports whether the process has ended, and how.
func (p *childProc) exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// kill sends SIGKILL and waits for the exit.
func (p *childProc) kill() error {
	if done, _ := p.exited(); done {
		return nil
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", p.name, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(apiServerStopTimeout):
		return fmt.Errorf("%s (pid %d) still running %s after SIGKILL", p.name, p.cmd.Process.Pid, apiServerStopTimeout)
	}
}

// stop ends the process with SIGTERM, then SIGKILL when it lingers.
func (p *childProc) stop() error {
	if done, _ := p.exited(); done {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(apiServerGracefulStopTimeout):
		return p.kill()
	}
}
