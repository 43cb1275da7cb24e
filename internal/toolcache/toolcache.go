// Package toolcache is where the binaries the tests, the demo and the
// bench run (the control plane, Gitea, Helm) are built once and kept
// across clones: $XDG_CACHE_HOME/clusterscribe, else
// ~/.cache/clusterscribe, the directory the hack/*.sh build scripts and
// the Makefile use.
package toolcache

import (
	"os"
	"path/filepath"
)

// Dir returns the cache directory joined with elem.
func Dir(elem ...string) string {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(append([]string{cache, "clusterscribe"}, elem...)...)
}
