package corpus_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/internal/gomodule"
	"github.com/clusterscribe/clusterscribe/internal/helmbin"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

// project is a widely used project's stock install manifests, read from
// its module zip at a pinned version.
type project struct {
	name            string
	module, version string
	// paths are files or directories of the module copied into the
	// declared repo, the i-th into directory i (a directory holding a
	// kustomization is built as one).
	paths []string
	// sub is the part of the declared repo audited (declared.Options.Path),
	// e.g. "0/overlays/release" for an overlay of a copied directory whose
	// bases lie outside it; empty means all of it.
	sub string
	// chart, when set, is a Helm chart of the module rendered with helm
	// template into the declared repo, as release name chartRelease into
	// chartNamespace with chartValues (--set).
	chart, chartRelease, chartNamespace string
	chartValues                         []string
}

// moduleDir downloads a module through the Go module proxy and returns
// its directory.
func moduleDir(t *testing.T, module, version string) string {
	t.Helper()
	dir, err := gomodule.Dir(t.Context(), module, version)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// declaredRepo writes the project's manifests into a fresh directory, one
// subdirectory per path (and a file for the rendered chart), and returns
// where audit reads them.
func (p project) declaredRepo(t *testing.T) declared.Options {
	t.Helper()
	mod := moduleDir(t, p.module, p.version)
	dir := t.TempDir()
	for i, path := range p.paths {
		src := filepath.Join(mod, path)
		dst := filepath.Join(dir, fmt.Sprint(i))
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(src)
		if err != nil {
			t.Fatal(err)
		}
		if fi.IsDir() {
			// The module cache is read-only; the copies need not be.
			if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(src)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if p.chart != "" {
		args := []string{
			"template", p.chartRelease, filepath.Join(mod, p.chart), "--namespace", p.chartNamespace,
			"--kube-version", testcluster.KubernetesVersion,
		}
		for _, v := range p.chartValues {
			args = append(args, "--set", v)
		}
		out, err := helmbin.Run(t.Context(), args...)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "rendered.yaml"), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return declared.Options{Source: dir, Path: p.sub}
}
