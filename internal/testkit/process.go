package testkit

import (
	"os/exec"
	"syscall"
	"testing"
)

// Process is a command a test runs as a user would, in the background,
// with its output collected in Logs. It runs in a process group of its own
// and dies with the test binary.
type Process struct {
	*Background
	Cmd  *exec.Cmd
	Logs *SyncBuffer
}

// StartProcess starts bin with args. Stop sends SIGTERM; when the test
// ends the whole group is killed, and the logs are printed if the test
// failed. name is how messages speak of it.
func StartProcess(t testing.TB, name, bin string, args ...string) *Process {
	t.Helper()
	p := &Process{Cmd: exec.Command(bin, args...), Logs: &SyncBuffer{}}
	p.Cmd.Stdout, p.Cmd.Stderr = p.Logs, p.Logs
	p.Cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.Cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p.Background = Start(name, func() { _ = p.Cmd.Process.Signal(syscall.SIGTERM) }, p.Cmd.Wait)
	t.Cleanup(func() {
		p.KillGroup()
		<-p.done
		if t.Failed() {
			t.Logf("%s logs:\n%s", name, p.Logs)
		}
	})
	return p
}

// KillGroup kills the process and every process it started with SIGKILL,
// as a crashed container would lose them, and waits for it to end.
func (p *Process) KillGroup() {
	_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}
