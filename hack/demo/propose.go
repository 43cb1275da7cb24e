package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// runPropose copies the declared repo into a Git repository of its own,
// runs propose without a forge against it, and shows the patches: the
// demo's drift (an image hot-fix, a flipped feature flag) as commits that
// edit the declared files in place.
func runPropose(ctx context.Context, cli, kubeconfig, declared, out string) error {
	repo := filepath.Join(out, "propose-declared")
	if err := gitCopy(declared, repo); err != nil {
		return err
	}
	patches := filepath.Join(out, "patches")
	if err := runCLI(ctx, cli, filepath.Join(out, "propose.log"), os.Stdout,
		"propose", "--kubeconfig", kubeconfig, "--declared", repo, "--forge", "none",
		"--patch-dir", patches, "--cluster-name", "demo"); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(patches, "*.patch"))
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Println("    patch:", f)
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(data), "\n") {
			if (strings.HasPrefix(line, "+") || strings.HasPrefix(line, "-")) && !strings.HasPrefix(line, "+++") && !strings.HasPrefix(line, "---") && line != "-- " {
				fmt.Println("      ", line)
			}
		}
	}
	return nil
}

// gitCopy copies the YAML files of src into a new repository at dst with
// one commit on main.
func gitCopy(src, dst string) error {
	r, err := git.PlainInitWithOptions(dst, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.Main}})
	if err != nil {
		return fmt.Errorf("init %s: %w", dst, err)
	}
	wt, err := r.Worktree()
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			return err
		}
		if _, err := wt.Add(e.Name()); err != nil {
			return err
		}
	}
	sig := &object.Signature{Name: "demo", Email: "demo@example.invalid", When: time.Now()}
	if _, err := wt.Commit("the declared state of the demo cluster", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		return fmt.Errorf("commit %s: %w", dst, err)
	}
	return nil
}
