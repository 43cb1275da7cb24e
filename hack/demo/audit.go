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
)

// auditFormats are the report formats the demo writes.
func auditFormats() []string { return []string{"json", "html", "sarif"} }

func auditResults(out string) string {
	var files []string
	for _, f := range auditFormats() {
		files = append(files, filepath.Join(out, "audit."+f))
	}
	return strings.Join(files, ", ")
}

// runAudit audits the demo cluster against the declared repo, with the
// bundled compliance policies, in each format. Exit status 1 means drift or
// a failed policy was found: the demo's live cluster drifts on purpose, so
// that is the expected outcome.
func runAudit(ctx context.Context, cli, kubeconfig, declared, out string) error {
	for _, format := range auditFormats() {
		file := filepath.Join(out, "audit."+format)
		err := runCLI(ctx, cli, filepath.Join(out, "audit-"+format+".log"), os.Stdout,
			"audit", "--kubeconfig", kubeconfig, "--declared", declared, "--cluster-name", "demo",
			"-o", format, "--output-file", file, "--bundled-policies")
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
		if f.Type != findings.Policy {
			fmt.Printf("    %-11s %s  %s\n", f.Type, f.Object, strings.Join(f.Paths, ", "))
		}
	}
	var sev []string
	for _, s := range []findings.Severity{findings.Critical, findings.High, findings.Medium, findings.Low, findings.Info} {
		if n := c.Policy[s]; n > 0 {
			sev = append(sev, fmt.Sprintf("%d %s", n, s))
		}
	}
	fmt.Printf("    policy findings: %s (%d policies evaluated)\n", strings.Join(sev, ", "), len(rep.Policies))
	return nil
}
