// Package gittest runs the real git binary for tests that inspect what the
// tool wrote: logs, trees, fsck.
package gittest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Try runs git in dir (a working or bare repository), without system
// configuration and in the C locale, and returns its standard output.
func Try(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "LC_ALL=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// Out is Try that fails the test on error.
func Out(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := Try(dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// NewBareRemote creates an empty bare repository at dir with the real git:
// default branch main, and pushes over HTTP accepted (for tests that serve
// it with git http-backend). It returns dir.
func NewBareRemote(t testing.TB, dir string) string {
	t.Helper()
	Out(t, filepath.Dir(dir), "init", "--quiet", "--bare", "--initial-branch=main", dir)
	Out(t, dir, "config", "http.receivepack", "true")
	return dir
}

// ChangedLines keeps the removed and added lines of a unified diff, the
// file headers left out.
func ChangedLines(diff string) []string {
	var out []string
	for _, line := range strings.Split(diff, "\n") {
		if strings.HasPrefix(line, "+++ ") || strings.HasPrefix(line, "--- ") {
			continue
		}
		if strings.HasPrefix(line, "+") || strings.HasPrefix(line, "-") {
			out = append(out, line)
		}
	}
	return out
}
