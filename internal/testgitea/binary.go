package testgitea

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/clusterscribe/clusterscribe/internal/toolcache"
)

// Version of the Gitea server built by `make gitea`.
const Version = "v1.26.1"

// EnvBinary names the environment variable that points at the gitea binary;
// `make test` sets it.
const EnvBinary = "CLUSTERSCRIBE_GITEA"

// ErrBinaryMissing means the gitea binary, or the options/ and templates/
// trees it reads next to itself, are not where they should be.
var ErrBinaryMissing = errors.New("gitea binary missing")

// Binary is the gitea binary Start runs: $CLUSTERSCRIBE_GITEA, else the
// cache directory `make gitea` builds into.
func Binary() string {
	if path := os.Getenv(EnvBinary); path != "" {
		return path
	}
	return toolcache.Dir("gitea", Version, "gitea")
}

// CheckBinary returns ErrBinaryMissing, with the command that builds it,
// when path is not an executable or the options/ and templates/ directories
// Gitea reads at run time are not next to it.
func CheckBinary(path string) error {
	const how = "build it with `make gitea` (about 4 minutes once, cached outside the work tree) " +
		"or point " + EnvBinary + " at a gitea " + Version + " binary built with the sqlite tags"
	if _, err := exec.LookPath(path); err != nil {
		return fmt.Errorf("%w: %s is not an executable; %s", ErrBinaryMissing, path, how)
	}
	for _, tree := range []string{"options", "templates"} {
		dir := filepath.Join(filepath.Dir(path), tree)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return fmt.Errorf("%w: %s has no %s/ directory next to it; %s", ErrBinaryMissing, path, tree, how)
		}
	}
	return nil
}
