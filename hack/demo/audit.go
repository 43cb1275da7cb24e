package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/audit/report"
)

// auditFormats are the report formats the demo writes: JSON always, HTML
// when the build has its renderer.
func auditFormats() []string {
	if _, err := report.For("html"); err == nil {
		return []string{"json", "html"}
	}
	return []string{"json"}
}

func auditResults(out string) string {
	var files []string
	for _, f := range auditFormats() {
		files = append(files, filepath.Join(out, "audit."+f))
	}
	return strings.Join(files, ", ")
}

// runAudit audits the demo cluster against the declared repo in each
// format. Exit status 1 means drift was found: the demo's live cluster
// drifts on purpose, so that is the expected outcome.
func runAudit(ctx context.Context, cli, kubeconfig, declared, out string) error {
	for _, format := range auditFormats() {
		file := filepath.Join(out, "audit."+format)
		err := runCLI(ctx, cli, filepath.Join(out, "audit-"+format+".log"), os.Stdout,
			"audit", "--kubeconfig", kubeconfig, "--declared", declared, "--cluster-name", "demo",
			"--format", format, "--output", file)
		var exit *exec.ExitError
		driftFound := errors.As(err, &exit) && exit.ExitCode() == 1
		if err != nil && !driftFound {
			return err
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "audit.json"))
	if err != nil {
		return err
	}
	var rep findings.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return fmt.Errorf("read audit.json: %w", err)
	}
	c := rep.Count()
	fmt.Printf("    %d modified, %d missing live, %d unmanaged, %d problems\n", c.Modified, c.MissingLive, c.Unmanaged, c.Problems)
	for _, f := range rep.Findings {
		fmt.Printf("    %-11s %s  %s\n", f.Type, f.Object, strings.Join(f.Paths, ", "))
	}
	return nil
}
