package edit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/golden"
)

type opSpec struct {
	path  string
	value any
	del   bool
}

func ops(o ...opSpec) []opSpec          { return o }
func set(path string, value any) opSpec { return opSpec{path: path, value: value} }
func del(path string) opSpec            { return opSpec{path: path, del: true} }

// TestApplyGolden edits a commented, hand-formatted file and compares the
// whole result with a golden file: only the drifted fields may change,
// and every comment survives.
func TestApplyGolden(t *testing.T) {
	const deployment, configMap = 3, 39
	tests := []struct {
		name        string
		file        string // under testdata; default commented.yaml
		line        int
		ops         []opSpec
		reformatted bool
	}{
		{name: "image", line: deployment, ops: ops(set("spec.template.spec.containers[name=web].image", "registry.example.com/shop/storefront:1.8.3"))},
		{name: "replicas", line: deployment, ops: ops(set("spec.replicas", int64(5)))},
		{name: "added-label", line: deployment, ops: ops(set(`metadata.labels["hotfix.example.com/incident"]`, "INC-4711"))},
		{name: "quoted-label", line: deployment, ops: ops(set("metadata.labels.tier", "edge"))},
		{name: "flow-mapping-value", line: deployment, ops: ops(set("spec.template.spec.containers[name=web].resources.limits.memory", "512Mi"))},
		{name: "flow-mapping-key", line: deployment, ops: ops(set("spec.template.spec.containers[name=web].resources.limits.ephemeral-storage", "1Gi"))},
		{name: "flow-sequence", line: deployment, ops: ops(set("spec.template.spec.containers[name=logs].args", []any{"--config", "/etc/fluent-bit/debug.conf"}))},
		{name: "new-container", line: deployment, ops: ops(set("spec.template.spec.containers[name=debug]", map[string]any{
			"name": "debug", "image": "busybox:1.36", "command": []any{"sleep", "infinity"},
		}))},
		{name: "new-subtree", line: deployment, ops: ops(set("spec.strategy.rollingUpdate.maxSurge", int64(2)))},
		{name: "new-port", line: deployment, ops: ops(set("spec.template.spec.containers[name=web].ports[containerPort=9090]", map[string]any{
			"containerPort": int64(9090), "name": "metrics",
		}))},
		{name: "removed-label", line: deployment, ops: ops(del("metadata.labels.tier"))},
		{name: "removed-container", line: deployment, ops: ops(del("spec.template.spec.containers[name=logs]"))},
		{name: "single-quoted", line: deployment, ops: ops(set("spec.template.spec.containers[name=logs].image", "registry.example.com/tools/fluent-bit:3.2"))},
		{name: "configmap-flag", line: configMap, ops: ops(set("data.FEATURE_CHECKOUT_V2", "true"))},
		{name: "several", line: deployment, ops: ops(
			set("spec.replicas", int64(1)),
			set("spec.template.spec.containers[name=web].image", "registry.example.com/shop/storefront:1.9.0"),
			set(`spec.template.metadata.labels["hotfix.example.com/incident"]`, "INC-4711"),
			del("metadata.labels.tier"),
		)},
		// A JSON manifest is one flow mapping: no line of it can be spliced,
		// so kyaml renders it whole, as YAML.
		{name: "json", file: "json.json", ops: ops(set("metadata.labels.team", "web")), reformatted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.file
			if file == "" {
				file = "commented.yaml"
			}
			in, err := os.ReadFile(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			var list []Op
			for _, o := range tt.ops {
				list = append(list, Op{Path: mustPath(t, o.path), Value: o.value, Delete: o.del})
			}
			got, err := Apply(in, tt.line, list)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if got.Reformatted != tt.reformatted {
				t.Errorf("Reformatted = %v, want %v", got.Reformatted, tt.reformatted)
			}
			golden.Check(t, filepath.Join("testdata", strings.TrimSuffix(file, filepath.Ext(file))+"."+tt.name+".golden.yaml"), got.Content)
			for _, l := range strings.Split(string(in), "\n") {
				i := strings.Index(l, "#")
				if i < 0 || tt.name == "removed-container" && strings.Contains(l, "Ships logs") {
					continue // a removed container takes its comment along
				}
				if c := l[i:]; !strings.Contains(string(got.Content), c) {
					t.Errorf("comment %q is gone", c)
				}
			}
		})
	}
}

func mustPath(t *testing.T, s string) Path {
	t.Helper()
	p, err := ParsePath(s)
	if err != nil {
		t.Fatalf("ParsePath(%q): %v", s, err)
	}
	return p
}
