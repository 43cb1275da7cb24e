package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goInternals are what an error for people never shows.
var goInternals = []string{"strconv.", "%!", "*errors.", "goroutine ", "panic:", "invalid configuration: invalid configuration", "unmarshal errors"}

// TestNewcomerErrors is the table of the errors a newcomer hits first: each
// says what was wrong and which flag or file fixes it, exits with the
// usage status where the command line is at fault, and shows no Go
// internals. It runs the real CLI; the cases that need a cluster use the
// package's control plane, the unreachable ones an address nothing
// listens on.
func TestNewcomerErrors(t *testing.T) {
	dir, kubeconfig := clusterKubeconfig(t)
	fake := fakeKubeconfig(t)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	manifests := write("pod.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
	appProject := write("project.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: default}\n")
	declared := filepath.Join(dir, "declared")
	if err := os.Mkdir(declared, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_TOKEN", "")
	t.Setenv("GITLAB_TOKEN", "")
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"typo in a subcommand", []string{"policy", "tset", manifests}, exitUsage, []string{`unknown command "tset" for "clusterscribe policy"`, "did you mean test"}},
		{"typo in a command", []string{"recrod", "--once"}, exitUsage, []string{`unknown command "recrod" for "clusterscribe"`, "did you mean record"}},
		{"unknown flag", []string{"audit", "--declared", declared, "--colour"}, exitUsage, []string{"unknown flag: --colour"}},
		{"file given to -o", []string{"policy", "test", "-o", "report.json", manifests}, exitUsage, []string{"--output takes a format", "--output-file report.json"}},
		{"unknown format", []string{"history", "cm/x", "--repo", dir, "-o", "csv"}, exitUsage, []string{`--output: "csv" is not one of table, wide, json, yaml`}},
		{"output file in a missing directory", []string{"version", "--output-file", filepath.Join(dir, "none", "v.txt")}, 1, []string{"--output-file", "does not exist: create it first"}},
		{"bare --dry-run", []string{"restore", "--repo", dir, "--dry-run", "--kubeconfig", fake}, exitUsage, []string{"--dry-run needs a value", "--dry-run=server"}},
		{"bad dry run", []string{"restore", "--repo", dir, "--dry-run=yes", "--kubeconfig", fake}, exitUsage, []string{`--dry-run: "yes" is not one of none, client, server`}},
		{"restore, cluster unreachable", []string{"restore", "--repo", dir, "--dry-run=server", "--kubeconfig", fake}, 1, []string{"cannot reach the cluster at https://127.0.0.1:1 (context \"none\")", "connection refused", "--kubeconfig and --context"}},
		{"audit, cluster unreachable", []string{"audit", "--declared", declared, "--kubeconfig", fake}, exitFailed, []string{"cannot reach the cluster", "--kubeconfig and --context"}},
		{"unknown context", []string{"audit", "--declared", declared, "--kubeconfig", fake, "--context", "prod"}, exitFailed, []string{`--context: no context "prod" in the kubeconfig`, "kubectl config get-contexts"}},
		{"missing kubeconfig", []string{"record", "--repo", dir, "--kubeconfig", filepath.Join(dir, "none")}, 1, []string{"--kubeconfig: " + filepath.Join(dir, "none") + " does not exist"}},
		{"forge without a token", []string{"propose", "--declared", "https://github.com/org/fleet.git@main", "--forge", "github"}, exitUsage, []string{"--forge github needs an access token", "--token-file", "--token-env", "GITHUB_TOKEN"}},
		{"two tokens", []string{"propose", "--declared", declared, "--token-file", "a", "--token-env", "B"}, exitUsage, []string{"--token-file and --token-env exclude each other"}},
		{"no declared", []string{"audit"}, exitUsage, []string{"--declared is required", "--declared https://"}},
		{"propose without declared", []string{"propose"}, exitUsage, []string{"--declared is required"}},
		{"bad declared URL", []string{"audit", "--declared", "ftp://host/repo"}, exitUsage, []string{"--declared ftp://host/repo: unsupported protocol"}},
		{"namespace where none counts", []string{"policy", "list", "-n", "shop"}, exitUsage, []string{"clusterscribe policy list works on no namespace", "drop -n/--namespace"}},
		{"namespace on version", []string{"version", "-n", "shop"}, exitUsage, []string{"works on no namespace"}},
		{"-n and --namespaces", []string{"record", "--repo", dir, "-n", "a", "--namespaces", "b", "--kubeconfig", kubeconfig}, exitUsage, []string{"-n/--namespace and --namespaces exclude each other"}},
		{"bad colour", []string{"version", "--color", "sometimes"}, exitUsage, []string{`--color: "sometimes" is not one of auto, always, never`}},
		{"bad object reference", []string{"history", "web", "--repo", dir}, exitUsage, []string{`object "web": want TYPE/NAME`, "deploy/web -n shop"}},
		{"history without object", []string{"history", "--repo", dir}, exitUsage, []string{"accepts 1 arg(s)"}},
		{"history of a missing repository", []string{"history", "deploy/web", "-n", "shop", "--repo", filepath.Join(dir, "none")}, 1, []string{"--repo " + filepath.Join(dir, "none") + ": no such directory"}},
		{"restore of an object not in the backup", nil, 1, nil}, // filled below
		{"AppProject as ignore rules", []string{"audit", "--declared", declared, "--ignore-rules", appProject}, exitUsage, []string{"--ignore-rules", "project.yaml", "AppProject holds no ignoreDifferences", "Applications"}},
		{"missing ignore rules file", []string{"audit", "--declared", declared, "--ignore-rules", filepath.Join(dir, "none.yaml")}, exitUsage, []string{"--ignore-rules", "none.yaml"}},
		{"bad secrets mode", []string{"record", "--repo", dir, "--secrets", "plain"}, exitUsage, []string{`--secrets: "plain" is not one of redact, encrypt, omit`}},
		{"bad existing", []string{"restore", "--repo", dir, "--existing", "replace"}, exitUsage, []string{`--existing: "replace" is not one of skip, update`}},
		{"missing age identity", []string{"restore", "--repo", dir, "--age-identity", filepath.Join(dir, "none.txt")}, exitUsage, []string{"--age-identity"}},
		{"policy test without manifests", []string{"policy", "test"}, exitUsage, []string{"policy test needs manifest files or directories (- for standard input)"}},
		{"arguments to audit", []string{"audit", "--declared", declared, "extra"}, exitUsage, []string{`unknown command "extra" for "clusterscribe audit"`}},
	}
	backup := filepath.Join(dir, "backup")
	ns := cluster.Namespace(t, "errors")
	for i := range tests {
		if tests[i].args == nil {
			tests[i].args = []string{"restore", "deploy/web", "-n", ns, "--repo", backup, "--kubeconfig", kubeconfig}
			tests[i].want = []string{"object not found in the backup history", "deployments.apps/web", "history lists the commits"}
		}
	}
	applyManifest(t, strings.ReplaceAll(conventionsManifest, "%NS%", ns))
	if out, _, err := runCommand(t, "record", "--kubeconfig", kubeconfig, "--repo", backup, "-n", ns, "--include-kinds", "configmap", "--once", "-q"); err != nil {
		t.Fatalf("record: %v\n%s", err, out)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := runCommand(t, tt.args...)
			if err == nil {
				t.Fatalf("no error; output:\n%s", out)
			}
			if code := exitCode(err); code != tt.code {
				t.Errorf("exit code = %d, want %d (error %v)", code, tt.code, err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			for _, bad := range goInternals {
				if strings.Contains(msg, bad) {
					t.Errorf("error %q shows Go internals (%q)", msg, bad)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines: %q", msg)
			}
			if out != "" {
				t.Errorf("standard output = %q, want nothing", out)
			}
		})
	}
}

// TestCommandGroupWithoutSubcommand checks that a group alone prints its
// help and succeeds, as kubectl's groups do.
func TestCommandGroupWithoutSubcommand(t *testing.T) {
	out, _, err := runCommand(t, "policy")
	if err != nil || !strings.Contains(out, "Available Commands") {
		t.Fatalf("policy: %v\n%s", err, out)
	}
}
