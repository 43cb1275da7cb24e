package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
)

func TestAuditFlagErrors(t *testing.T) {
	dir := t.TempDir()
	badRules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(badRules, []byte("ignoreDifferences:\n  - kind: X\n    jqPathExpressions: [.a]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	checkCommandErrors(t, exitFailed, []commandError{
		{"no declared", []string{"audit"}, "--declared is required"},
		{"bad format", []string{"audit", "--declared", dir, "-o", "pdf"}, `--output: "pdf" is not one of`},
		{"file as output", []string{"audit", "--declared", dir, "-o", "report.json"}, "--output takes a format (text, html, json"},
		{"unknown flag", []string{"audit", "--declared", dir, "--colour"}, "unknown flag: --colour"},
		{"arguments", []string{"audit", "--declared", dir, "extra"}, `unknown command "extra" for "clusterscribe audit"`},
		{"jq ignore rules", []string{"audit", "--declared", dir, "--ignore-rules", badRules}, "jqPathExpressions are not supported"},
		{"bad drop rule", []string{"audit", "--declared", dir, "--drop", "nonsense"}, `--drop "nonsense"`},
		{"bad declared URL", []string{"audit", "--declared", "ftp://host/repo", "--kubeconfig", filepath.Join(dir, "none")}, "unsupported protocol"},
	})
}

// readReport decodes the JSON report the command wrote to path.
func readReport(t *testing.T, path string) findings.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep findings.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("report %s: %v\n%s", path, err, data)
	}
	return rep
}

const auditManifest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: %NS%
data:
  MODE: live
---
apiVersion: v1
kind: Secret
metadata:
  name: credentials
  namespace: %NS%
stringData:
  password: %PASSWORD%
`

// TestAuditExitCodes runs the command against a real control plane: 0
// without drift, 1 with drift (the report written to --output), 2 when
// the cluster cannot be reached.
func TestAuditExitCodes(t *testing.T) {
	dir, kubeconfig := clusterKubeconfig(t)
	ns := cluster.Namespace(t, "cli")
	declaredDir := filepath.Join(dir, "declared")
	if err := os.Mkdir(declaredDir, 0o755); err != nil {
		t.Fatal(err)
	}
	declaredPassword, livePassword := secretscan.Canary(), secretscan.Canary()
	manifest := strings.NewReplacer("%NS%", ns, "%PASSWORD%", declaredPassword).Replace(auditManifest)
	// The declared repo is the test's: it holds the declared value. What
	// the command writes must hold neither.
	secretscan.Guard(t).Input(declaredDir)
	if err := os.WriteFile(filepath.Join(declaredDir, "app.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	applyManifest(t, manifest)

	out, _, err := runCommand(t, "audit", "--kubeconfig", kubeconfig, "--declared", declaredDir)
	if err != nil {
		t.Fatalf("no drift: %v\n%s", err, out)
	}
	if !strings.Contains(out, declaredDir) {
		t.Errorf("text report does not name the declared source:\n%s", out)
	}

	cs := kubernetes.NewForConfigOrDie(cluster.Config)
	patch := `{"stringData":{"password":"` + livePassword + `"},"metadata":{"labels":{"hotfix":"yes"}}}`
	if _, err := cs.CoreV1().Secrets(ns).Patch(t.Context(), "credentials", types.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "audit.json")
	_, _, err = runCommand(t, "audit", "--kubeconfig", kubeconfig, "--declared", declaredDir, "-o", "json", "--output-file", report)
	if code := exitCode(err); err == nil || code != exitDrift {
		t.Fatalf("drift: error %v, exit code %d, want %d", err, code, exitDrift)
	}
	rep := readReport(t, report)
	if len(rep.Findings) != 1 || rep.Findings[0].Type != findings.Modified || rep.Findings[0].Object.Name != "credentials" {
		t.Fatalf("findings = %+v, want the modified Secret", rep.Findings)
	}
	if got := strings.Join(rep.Findings[0].Paths, ","); got != "data.password,metadata.labels.hotfix" {
		t.Errorf("paths = %s", got)
	}

	_, _, err = runCommand(t, "audit", "--kubeconfig", kubeconfig, "--server", "https://127.0.0.1:1", "--declared", declaredDir)
	if code := exitCode(err); err == nil || code != exitFailed {
		t.Fatalf("unreachable cluster: error %v, exit code %d, want %d", err, code, exitFailed)
	}
}
