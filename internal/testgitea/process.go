package testgitea

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// process is a started `gitea web`.
type process struct {
	*testkit.Background
	cmd *exec.Cmd
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
	wait := func() error {
		defer func() { _ = logFile.Close() }()
		return cmd.Wait()
	}
	return &process{Background: testkit.Start("gitea web", func() { _ = terminate(cmd) }, wait), cmd: cmd}, nil
}

// stop asks the process to shut down, kills it after grace, and then kills
// whatever it left running.
func (p *process) stop(grace time.Duration) error {
	select {
	case <-p.Done():
	default:
		if err := terminate(p.cmd); err != nil {
			return fmt.Errorf("stop gitea web: %w", err)
		}
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-p.Done():
		case <-timer.C:
			if err := kill(p.cmd); err != nil {
				return fmt.Errorf("stop gitea web: %w", err)
			}
			<-p.Done()
		}
	}
	if err := kill(p.cmd); err != nil {
		return fmt.Errorf("stop gitea web: %w", err)
	}
	return nil
}
