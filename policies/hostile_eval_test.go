package policies_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/policies"
)

// hostilePolicies are user policies that never finish, allocate without
// bound, or fail at run time, next to one that behaves, in both dialects.
var hostilePolicies = map[string]string{
	"loop.rego": `package loop

deny contains "never" if {
	some i in numbers.range(1, 1000000)
	some j in numbers.range(1, 1000000)
	some k in numbers.range(1, 1000000)
	i * j * k < 0
}
`,
	"walk.rego": `package walk

deny contains "never" if {
	walk(input, [_, a])
	walk(input, [_, b])
	some i in numbers.range(1, 1000000)
	[a, b, i] == [0, 0, 0]
}
`,
	"memory.rego": `package memory

deny contains "never" if count(numbers.range(1, 1000000000)) < 0
`,
	"conflict.rego": `package conflict

deny := v if {
	some v in ["x", "y"]
}
`,
	"function.rego": `package function

f(_) := 1
f(x) := 2 if x == x

deny contains "never" if f(input.kind) == 3
`,
	"good.rego": `package good

deny contains "good fired" if input.kind == "ConfigMap"
`,
	"gatekeeper.yaml": `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: spinning
spec:
  crd:
    spec:
      names:
        kind: Spinning
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package spinning

        violation[{"msg": "never"}] {
          some i, j
          numbers.range(1, 1000000)[i]
          numbers.range(1, 1000000)[j]
          i * j < 0
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: Spinning
metadata:
  name: spin-on-configmaps
spec:
  match:
    kinds:
      - apiGroups: [""]
        kinds: ["ConfigMap"]
`,
}

// TestHostilePoliciesAreBounded evaluates policies that loop (nested
// ranges, walks over an object of 10,000 keys, a Gatekeeper template),
// allocate a billion-element range, or fail at run time, next to a user
// policy that behaves and the bundled set. Each hostile policy gives an
// error result on every object it applies to, stopped by the per-object
// timeout (its message says so) or failing with its runtime error, one
// problem names each; the well-behaved and bundled policies report as
// usual; and the whole run ends (a generous give-up bound, not a timing
// assertion).
func TestHostilePoliciesAreBounded(t *testing.T) {
	dir := t.TempDir()
	for name, content := range hostilePolicies {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const timeout = 300 * time.Millisecond
	e, err := policies.Load(t.Context(), policies.Options{Dirs: []string{dir}, Timeout: timeout, Parallelism: 2})
	if err != nil {
		t.Fatal(err)
	}
	many := map[string]any{}
	for i := range 10_000 {
		many[fmt.Sprintf("k%05d", i)] = "v"
	}
	objs := []*unstructured.Unstructured{
		{Object: map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "small", "namespace": "shop"}, "data": map[string]any{"a": "b"},
		}},
		{Object: map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "many-keys", "namespace": "shop"}, "data": many,
		}},
		{Object: map[string]any{
			"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{"name": "root", "namespace": "shop"},
			"spec": map[string]any{"containers": []any{map[string]any{
				"name": "c", "image": "registry.example/app:1.0", "securityContext": map[string]any{"privileged": true},
			}}},
		}},
	}

	type outcome struct {
		fs       []findings.Finding
		problems []findings.Problem
		err      error
	}
	done := make(chan outcome, 1)
	go func() {
		fs, _, problems, err := e.Evaluate(t.Context(), objs, true)
		done <- outcome{fs, problems, err}
	}()
	var out outcome
	select {
	case out = <-done:
	case <-time.After(5 * time.Minute):
		t.Fatal("evaluation did not end within 5 minutes")
	}
	if out.err != nil {
		t.Fatalf("Evaluate: %v", out.err)
	}

	got := map[string]findings.Finding{} // "policy object" -> finding
	for _, f := range out.fs {
		got[f.Policy.ID+" "+f.Object.Name] = f
	}
	timedOut := "timed out after " + timeout.String()
	all := []string{"small", "many-keys", "root"}
	configMaps := []string{"small", "many-keys"}
	tests := []struct {
		policy  string
		objects []string
		outcome findings.Outcome
		message string
	}{
		{"loop.deny", all, findings.Error, timedOut},
		{"walk.deny", all, findings.Error, timedOut},
		{"memory.deny", all, findings.Error, timedOut},
		{"conflict.deny", all, findings.Error, "conflicting values"},
		{"function.deny", all, findings.Error, "produced conflicting values for the same inputs"},
		{"Spinning/spin-on-configmaps", configMaps, findings.Error, timedOut},
		{"good.deny", configMaps, findings.Fail, "good fired"},
		{"privileged-container", []string{"root"}, findings.Fail, "privileged"},
	}
	for _, tt := range tests {
		for _, obj := range tt.objects {
			f, ok := got[tt.policy+" "+obj]
			if !ok {
				t.Errorf("%s on %s: no result", tt.policy, obj)
				continue
			}
			if f.Policy.Outcome != tt.outcome || !strings.Contains(f.Message, tt.message) {
				t.Errorf("%s on %s: %s %q, want %s and %q", tt.policy, obj, f.Policy.Outcome, f.Message, tt.outcome, tt.message)
			}
		}
	}
	var failing []string
	for _, p := range out.problems {
		for _, tt := range tests[:6] {
			if strings.Contains(p.Message, "policy "+tt.policy+" could not be evaluated") {
				failing = append(failing, tt.policy)
			}
		}
	}
	slices.Sort(failing)
	want := []string{"Spinning/spin-on-configmaps", "conflict.deny", "function.deny", "loop.deny", "memory.deny", "walk.deny"}
	if !slices.Equal(failing, want) || len(out.problems) != len(want) {
		t.Errorf("problems name %v (of %d), want one for each of %v", failing, len(out.problems), want)
	}
}
