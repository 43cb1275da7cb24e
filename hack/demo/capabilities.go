package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

type unstructuredObj = unstructured.Unstructured

// capabilities lists what the demo shows, in order. Each capability joins
// this list as it lands.
func capabilities(cli, kubeconfig, out, samples string) []capability {
	backup := filepath.Join(out, "backup")
	return []capability{
		{
			title:  "record: one snapshot of the cluster into the backup branch",
			result: result{"record", backup + "  (branch clusterscribe/backup; try: git -C " + backup + " log --stat)"},
			run: func(ctx context.Context, out string) error {
				err := runCLI(ctx, cli, filepath.Join(out, "record.log"), os.Stdout,
					"record", "--kubeconfig", kubeconfig, "--repo", backup, "--branch", "clusterscribe/backup",
					"--cluster-name", "demo", "--once")
				if err != nil {
					return err
				}
				return showLog(backup)
			},
		},
		{
			title:  "audit: drift between the cluster and its declared GitOps repo",
			result: result{"audit", auditResults(out)},
			run: func(ctx context.Context, out string) error {
				return runAudit(ctx, cli, kubeconfig, filepath.Join(samples, "declared"), out)
			},
		},
		{
			title:  "propose: the live changes as reviewable commits (no forge configured: branches and .patch files)",
			result: result{"propose", filepath.Join(out, "patches", "*.patch") + "  (try: git -C " + filepath.Join(out, "propose-declared") + " branch --list 'clusterscribe/*')"},
			run: func(ctx context.Context, out string) error {
				return runPropose(ctx, cli, kubeconfig, filepath.Join(samples, "declared"), out)
			},
		},
		{
			title:  "run: the service — leader lease, continuous recording, audit on change, metrics",
			result: result{"run", filepath.Join(out, "run-backup") + "  (logs: " + filepath.Join(out, "run.log") + ")"},
			run: func(ctx context.Context, out string) error {
				return runOperate(ctx, cli, kubeconfig, filepath.Join(samples, "declared"), out)
			},
		},
	}
}

// showLog prints the head of the backup branch's history with its files.
func showLog(repo string) error {
	cmd := exec.Command("git", "-C", repo, "log", "--stat", "--format=commit %h%n%n    %s%n", "-n", "1", "clusterscribe/backup")
	outb, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("git log: %w", err)
	}
	lines := strings.Split(strings.TrimRight(string(outb), "\n"), "\n")
	if len(lines) > 24 {
		lines = append(lines[:20], fmt.Sprintf("    … %d more lines", len(lines)-21), lines[len(lines)-1])
	}
	for _, l := range lines {
		fmt.Println("   ", l)
	}
	return nil
}
