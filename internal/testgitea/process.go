package testgitea

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// process is a started `gitea web`.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited
	err  error         // its exit status, set before done is closed
}

// startProcess starts bin with args in dir, its output appended to logPath
// and copied to out when out is not nil.
func startProcess(bin, dir, logPath string, out io.Writer, args ...string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("start gitea web: %w", err)
	}
	var w io.Writer = logFile
	if out != nil {
		w = io.MultiWriter(logFile, out)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = environ()
	cmd.Stdout, cmd.Stderr = w, w
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start gitea web: %w", err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// stop asks the process to shut down, kills it after grace, and then kills
// whatever it left running.
func (p *process) stop(grace time.Duration) error {
	select {
	case <-p.done:
	default:
		if err := terminate(p.cmd); err != nil {
			return fmt.Errorf("stop gitea web: %w", err)
		}
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-p.done:
		case <-timer.C:
			if err := kill(p.cmd); err != nil {
				return fmt.Errorf("stop gitea web: %w", err)
			}
			<-p.done
		}
	}
	if err := kill(p.cmd); err != nil {
		return fmt.Errorf("stop gitea web: %w", err)
	}
	return nil
}
