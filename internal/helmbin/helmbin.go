// Package helmbin finds the Helm binary `make helm` builds, for the tests
// that render charts with helm template or check them with helm lint.
package helmbin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/clusterscribe/clusterscribe/internal/toolcache"
)

// Version is the Helm version `make helm` builds.
const Version = "v3.22.0"

// ErrMissing means Helm is not where `make helm` puts it.
var ErrMissing = errors.New("helm missing")

// Path is the Helm binary: $CLUSTERSCRIBE_HELM, else the cache `make helm`
// builds into. It fails with the command that builds it when it is absent.
func Path() (string, error) {
	path := os.Getenv("CLUSTERSCRIBE_HELM")
	if path == "" {
		path = toolcache.Dir("tools", "helm-"+Version)
	}
	if _, err := exec.LookPath(path); err != nil {
		return "", fmt.Errorf("%w: helm %s not found at %s: run `make helm` (builds it once, about 1.5 min)", ErrMissing, Version, path)
	}
	return path, nil
}

// Run runs Helm with args and returns its standard output; an error
// carries both outputs.
func Run(ctx context.Context, args ...string) ([]byte, error) {
	path, err := Path()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, path, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("helm %s: %w\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.Bytes(), nil
}
