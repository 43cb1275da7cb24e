package toolcache

import (
	"path/filepath"
	"testing"
)

func TestDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/cache")
	if got, want := Dir("tools", "helm"), "/cache/clusterscribe/tools/helm"; got != want {
		t.Errorf("with XDG_CACHE_HOME: %s, want %s", got, want)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if got, want := Dir("gitea"), filepath.Join("/home/u", ".cache", "clusterscribe", "gitea"); got != want {
		t.Errorf("without: %s, want %s", got, want)
	}
}
