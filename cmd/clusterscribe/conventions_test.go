package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"
)

const conventionsManifest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: %NS%
data:
  MODE: normal
`

// TestStructuredOutput walks every command with structured output with
// -o json and -o yaml against the package's control plane: standard output
// parses, and the YAML is the same value as the JSON. The backup it reads
// is recorded with -n, and history and restore name the object as kubectl
// does (cm/settings -n NS).
func TestStructuredOutput(t *testing.T) {
	dir, kubeconfig := clusterKubeconfig(t)
	ns := cluster.Namespace(t, "output")
	manifest := strings.ReplaceAll(conventionsManifest, "%NS%", ns)
	declaredDir := filepath.Join(dir, "declared")
	gittest.NewRepo(t, declaredDir, map[string]string{"settings.yaml": manifest})
	applyManifest(t, manifest)
	backup := filepath.Join(dir, "backup")
	if out, _, err := runCommand(t, "record", "--kubeconfig", kubeconfig, "--repo", backup, "-n", ns, "--include-kinds", "configmap", "--once", "--quiet"); err != nil {
		t.Fatalf("record: %v\n%s", err, out)
	}
	kc := []string{"--kubeconfig", kubeconfig}
	tests := []struct {
		name string
		args []string
	}{
		{"version", []string{"version"}},
		{"policy list", []string{"policy", "list"}},
		{"policy test", []string{"policy", "test", filepath.Join(declaredDir, "settings.yaml")}},
		{"audit", append([]string{"audit", "--declared", declaredDir, "--namespaces", ns}, kc...)},
		{"history", []string{"history", "cm/settings", "-n", ns, "--repo", backup}},
		{"history kind.group", []string{"history", "configmaps.v1.core/" + ns + "/settings", "--repo", backup}},
		{"restore", append([]string{"restore", "--repo", backup, "-n", ns, "--include-kinds", "configmap", "--dry-run=server", "--existing", "update"}, kc...)},
		{"restore one object", append([]string{"restore", "configmap/settings", "-n", ns, "--repo", backup, "--dry-run=server"}, kc...)},
		// a client-side dry run does not contact the cluster: its kubeconfig points nowhere
		{"restore, client dry run", []string{"restore", "cm/settings", "-n", ns, "--repo", backup, "--dry-run=client", "--kubeconfig", fakeKubeconfig(t)}},
		{"propose", append([]string{"propose", "--declared", declaredDir, "--forge", "none", "--patch-dir", dir, "--namespaces", ns}, kc...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var values [2]any
			for i, format := range []string{formatJSON, formatYAML} {
				out, _, err := runCommand(t, append(tt.args, "-o", format)...)
				if err != nil {
					t.Fatalf("-o %s: %v\n%s", format, err, out)
				}
				data := []byte(out)
				if format == formatYAML {
					if data, err = yaml.YAMLToJSON(data); err != nil {
						t.Fatalf("-o yaml: %v\n%s", err, out)
					}
				}
				if err := json.Unmarshal(data, &values[i]); err != nil {
					t.Fatalf("-o %s: %v\n%s", format, err, out)
				}
				if reflect.ValueOf(values[i]).Len() == 0 {
					t.Errorf("-o %s: empty output", format)
				}
			}
			// Reports carry their time of generation: compare the shape.
			if reflect.TypeOf(values[0]) != reflect.TypeOf(values[1]) {
				t.Errorf("-o yaml is not the same kind of value as -o json: %T, %T", values[0], values[1])
			}
		})
	}
}

// TestCommandConventions checks every command of the tree: an Example in
// its help, and -o/--output offering json and yaml wherever it exists,
// with --output-file next to it.
func TestCommandConventions(t *testing.T) {
	root := newRootCommand(genericiooptions.NewTestIOStreamsDiscard())
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" || c.Parent() != nil && c.Parent().Name() == "completion" {
			return
		}
		if c.Example == "" {
			t.Errorf("%s has no Example", c.CommandPath())
		}
		if f := c.Flags().Lookup("output"); f != nil {
			if f.Shorthand != "o" || !strings.Contains(f.Usage, "json") || !strings.Contains(f.Usage, "yaml") {
				t.Errorf("%s -o: %q, want a format with json and yaml", c.CommandPath(), f.Usage)
			}
			if c.Flags().Lookup("output-file") == nil {
				t.Errorf("%s has -o but no --output-file", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// TestOutputFile checks --output-file: the output in the file, nothing on
// standard output, no temporary file left.
func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "version.yaml")
	out, _, err := runCommand(t, "version", "-o", "yaml", "--output-file", file)
	if err != nil || out != "" {
		t.Fatalf("version: %v, standard output %q", err, out)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]string
	if err := yaml.Unmarshal(data, &info); err != nil || info["version"] == "" {
		t.Errorf("%s: %v\n%s", file, err, data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left: %v", entries)
	}
}

// TestFlagCompletion asks the shell completion for flag values: formats,
// fixed choices, the kubeconfig's contexts, namespaces and kinds from the
// cluster, bundled policy ids.
func TestFlagCompletion(t *testing.T) {
	_, kubeconfig := clusterKubeconfig(t)
	ns := cluster.Namespace(t, "complete")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"formats", []string{"audit", "-o", ""}, []string{"sarif", "junit", "json", "yaml"}},
		{"dry run", []string{"restore", "--dry-run="}, []string{"none", "client", "server"}}, // a value is needed: --dry-run= completes
		{"colour", []string{"version", "--color", ""}, []string{"auto", "always", "never"}},
		{"contexts", []string{"audit", "--kubeconfig", kubeconfig, "--context", ""}, nil}, // filled below
		{"namespaces", []string{"record", "--kubeconfig", kubeconfig, "-n", ""}, []string{ns, "kube-system"}},
		{"kinds", []string{"record", "--kubeconfig", kubeconfig, "--include-kinds", ""}, []string{"Deployment.apps", "ConfigMap", "ClusterRole.rbac.authorization.k8s.io"}},
		{"policy ids", []string{"policy", "test", "--disable-policies", ""}, []string{"privileged-container", "rbac-wildcard"}},
	}
	for i := range tests {
		if tests[i].want == nil {
			tests[i].want = []string{readCurrentContext(t, kubeconfig)}
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := runCommand(t, append([]string{cobra.ShellCompRequestCmd}, tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			lines := map[string]bool{}
			for _, l := range strings.Split(out, "\n") {
				v, _, _ := strings.Cut(l, "\t")
				lines[v] = true
			}
			for _, w := range tt.want {
				if !lines[w] {
					t.Errorf("completion lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// readCurrentContext is the current context of a kubeconfig file.
func readCurrentContext(t *testing.T, kubeconfig string) string {
	t.Helper()
	data, err := os.ReadFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		CurrentContext string `json:"current-context"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil || cfg.CurrentContext == "" {
		t.Fatalf("%s: no current context (%v)", kubeconfig, err)
	}
	return cfg.CurrentContext
}

// TestFormatAlias checks that --format, the old name of -o, still works:
// the report on standard output, the deprecation on standard error only.
func TestFormatAlias(t *testing.T) {
	manifest := filepath.Join(t.TempDir(), "cm.yaml")
	if err := os.WriteFile(manifest, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: y}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCommand(t, "policy", "test", "--format", "json", manifest)
	if err != nil && exitCode(err) != exitPolicyFail {
		t.Fatal(err)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("standard output is not the JSON report: %v\n%s", err, out)
	}
	if !strings.Contains(errOut, "--format is deprecated: use -o/--output") {
		t.Errorf("standard error = %q, want the deprecation", errOut)
	}
}
