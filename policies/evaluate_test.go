package policies

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

func configMap(name string, data map[string]string) *unstructured.Unstructured {
	d := map[string]any{}
	for k, v := range data {
		d[k] = v
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name, "namespace": "ns"},
		"data":     d,
	}}
}

// TestRuntimeErrorIsolated checks that a policy failing at run time on one
// object gives an error finding for that object only, with its location,
// and a problem naming the policy, while other objects and policies go on.
func TestRuntimeErrorIsolated(t *testing.T) {
	e := loadRego(t, Options{}, map[string]string{
		// A complete rule with two different values is a conflict.
		"one.rego":   "package one\n\ndeny := v if {\n\tsome v in input.data\n}\n",
		"other.rego": "package other\n\ndeny contains \"other fired\" if input.kind == \"ConfigMap\"\n",
	})
	objs := []*unstructured.Unstructured{
		configMap("ok", map[string]string{"k": "single value"}),
		configMap("conflict", map[string]string{"a": "x", "b": "y"}),
	}
	fs, stats, problems := mustEvaluate(t, e, objs, true)
	got := rows(fs)
	for i := range got {
		if got[i].Outcome == findings.Error {
			got[i].Message = strings.ReplaceAll(got[i].Message, e.Policies()[0].File, "one.rego")
		}
	}
	want := []row{
		{"one.deny", "ConfigMap ns/conflict", findings.Error, `policy could not be evaluated: one.rego:3:1: rule data.one.deny produced conflicting values: "x" at one.rego:3; "y" at one.rego:3`},
		{"one.deny", "ConfigMap ns/ok", findings.Fail, "single value"},
		{"other.deny", "ConfigMap ns/conflict", findings.Fail, "other fired"},
		{"other.deny", "ConfigMap ns/ok", findings.Fail, "other fired"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]stat{"one.deny": {2, 2}, "other.deny": {2, 2}}, statsByID(stats)); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Message, "policy one.deny could not be evaluated on 1 object(s): ConfigMap ns/conflict") {
		t.Errorf("problems = %v, want one naming one.deny and the object", problems)
	}
}

// TestTimeout checks that a policy that runs too long on an object is
// stopped and reported as an error for that object; the other policy
// still runs on it.
func TestTimeout(t *testing.T) {
	e := loadRego(t, Options{Timeout: 20 * time.Millisecond}, map[string]string{
		"slow.rego": `package slow

deny contains "never" if {
	some i in numbers.range(1, 100000)
	some j in numbers.range(1, 100000)
	i * j < 0
}
`,
		"fast.rego": "package fast\n\ndeny contains \"fast fired\" if input.kind == \"ConfigMap\"\n",
	})
	fs, _, problems := mustEvaluate(t, e, []*unstructured.Unstructured{configMap("c", nil)}, false)
	want := []row{
		{"fast.deny", "ConfigMap ns/c", findings.Fail, "fast fired"},
		{"slow.deny", "ConfigMap ns/c", findings.Error, "policy could not be evaluated: timed out after 20ms (does the policy loop over large ranges?)"},
	}
	checkRows(t, want, fs)
	if len(problems) != 1 {
		t.Errorf("problems = %v, want one", problems)
	}
}

// TestCancel checks that an ended context ends the run with its error.
func TestCancel(t *testing.T) {
	e := loadRego(t, Options{}, map[string]string{"a.rego": "package a\n\ndeny contains \"x\" if true\n"})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	objs := []*unstructured.Unstructured{configMap("a", nil), configMap("b", nil)}
	if _, _, _, err := e.Evaluate(ctx, objs, true); !errors.Is(err, context.Canceled) {
		t.Errorf("Evaluate error = %v, want context.Canceled", err)
	}
}

// TestSecretsRedacted checks that policies never see Secret values, in
// input or in data.inventory, so none can reach a finding.
func TestSecretsRedacted(t *testing.T) {
	e := loadRego(t, Options{}, map[string]string{"leak.rego": `package leak

deny contains sprintf("input: %v", [input]) if input.kind == "Secret"

deny contains sprintf("inventory: %v", [s]) if {
	input.kind == "ConfigMap"
	some s in data.inventory.namespace.ns.v1.Secret
}
`})
	secret := objects(t, `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: ns
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"password":"hunter2-plain"}}'
data:
  password: aHVudGVyMi1iYXNlNjQ=
stringData:
  token: hunter2-string
`)[0]
	before := fmt.Sprint(secret.Object)
	fs, _, _ := mustEvaluate(t, e, []*unstructured.Unstructured{secret, configMap("c", nil)}, true)
	if len(fs) != 2 {
		t.Fatalf("findings = %v, want 2", rows(fs))
	}
	var out strings.Builder
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(fs); err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"aHVudGVyMi1iYXNlNjQ=", "hunter2"} {
		if strings.Contains(out.String(), plain) {
			t.Errorf("a secret value reached the findings: %s", out.String())
		}
	}
	for _, kept := range []string{"password", "token", redacted} {
		if !strings.Contains(out.String(), kept) {
			t.Errorf("findings lack %q: %s", kept, out.String())
		}
	}
	if fmt.Sprint(secret.Object) != before {
		t.Error("Evaluate modified the caller's Secret")
	}
}

// TestInventoryPerRun checks that each Evaluate call sees its own objects
// as the inventory.
func TestInventoryPerRun(t *testing.T) {
	e := loadRego(t, Options{}, map[string]string{"a.rego": `package a

deny contains sprintf("%d ConfigMaps", [count(data.inventory.namespace.ns.v1.ConfigMap)]) if input.metadata.name == "first"
`})
	for _, n := range []int{1, 3} {
		var objs []*unstructured.Unstructured
		for i := range n {
			name := "first"
			if i > 0 {
				name = fmt.Sprintf("cm%d", i)
			}
			objs = append(objs, configMap(name, nil))
		}
		fs, _, _ := mustEvaluate(t, e, objs, true)
		want := []row{{"a.deny", "ConfigMap ns/first", findings.Fail, fmt.Sprintf("%d ConfigMaps", n)}}
		if diff := cmp.Diff(want, rows(fs)); diff != "" {
			t.Errorf("run with %d objects (-want +got):\n%s", n, diff)
		}
	}
}

// TestParallelDeterministic checks that findings come out in the same
// order whatever the parallelism, and are the same from parallel calls.
func TestParallelDeterministic(t *testing.T) {
	objs := benchObjects(300)
	var runs [][]findings.Finding
	for _, par := range []int{1, 4} {
		e := mustLoad(t, Options{Parallelism: par, Params: Params{AllowedRegistries: []string{"ghcr.io/acme"}}})
		fs, _, _ := mustEvaluate(t, e, objs, true)
		runs = append(runs, fs)
		if par > 1 {
			done := make(chan []findings.Finding, 2)
			for range 2 {
				go func() {
					fs, _, _, err := e.Evaluate(t.Context(), objs, true)
					if err != nil {
						t.Error(err)
					}
					done <- fs
				}()
			}
			runs = append(runs, <-done, <-done)
		}
	}
	if len(runs[0]) == 0 {
		t.Fatal("no findings")
	}
	for i := 1; i < len(runs); i++ {
		if diff := cmp.Diff(runs[0], runs[i]); diff != "" {
			t.Errorf("run %d differs (-first +this):\n%s", i, diff)
		}
	}
}

// TestBadObject checks that an object without kind is an error.
func TestBadObject(t *testing.T) {
	e := loadRego(t, Options{}, map[string]string{"a.rego": "package a\n\ndeny contains \"x\" if true\n"})
	_, _, _, err := e.Evaluate(t.Context(), []*unstructured.Unstructured{{Object: map[string]any{"metadata": map[string]any{"name": "x"}}}}, true)
	if err == nil || !strings.Contains(err.Error(), "object 0: apiVersion and kind are required") {
		t.Errorf("Evaluate error = %v", err)
	}
}

// TestOptionErrors checks option validation.
func TestOptionErrors(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no-bundled without policies", Options{NoBundled: true}, "--no-bundled needs at least one --policies"},
		{"negative timeout", Options{Timeout: -time.Second}, "--policy-timeout: must not be negative"},
		{"bad label requirement", Options{Params: Params{RequiredLabels: []LabelRequirement{{Key: "a", AllowedRegex: "("}}}}, "--required-labels"},
		{"missing dir", Options{Dirs: []string{"testdata/no-such-dir"}}, "--policies: stat testdata/no-such-dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(t.Context(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestExcludedNamespaces checks that the bundled policies skip excluded
// namespaces, and the Namespace objects of that name.
func TestExcludedNamespaces(t *testing.T) {
	e := mustLoad(t, Options{Params: Params{ExcludedNamespaces: []string{"kube-*"}}})
	objs := objects(t,
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n",
		"apiVersion: v1\nkind: Pod\nmetadata: {name: proxy, namespace: kube-system}\nspec:\n  hostNetwork: true\n  containers: [{name: p, image: proxy}]\n",
		"apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  hostNetwork: true\n  containers: [{name: p, image: proxy}]\n",
	)
	fs, _, _ := mustEvaluate(t, e, objs, true)
	hostNetwork := 0
	for _, f := range fs {
		if f.Object.Namespace == "kube-system" || f.Object.Name == "kube-system" {
			t.Errorf("finding in an excluded namespace: %+v", f)
		}
		if f.Policy.ID == "host-network" {
			hostNetwork++
		}
	}
	if hostNetwork != 1 {
		t.Errorf("%d host-network findings, want 1 (shop/web)", hostNetwork)
	}
}

// TestPrintToDebugLog checks that print() in a policy reaches the debug
// log, located in the policy's file.
func TestPrintToDebugLog(t *testing.T) {
	var buf strings.Builder
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := loadRego(t, Options{Logger: log}, map[string]string{"p.rego": "package p\n\ndeny contains \"x\" if {\n\tprint(\"kind is\", input.kind)\n\tfalse\n}\n"})
	if _, _, _, err := e.Evaluate(t.Context(), []*unstructured.Unstructured{configMap("c", nil)}, true); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); !strings.Contains(got, `msg="policy print"`) || !strings.Contains(got, "p.rego line=4") || !strings.Contains(got, `message="kind is ConfigMap"`) {
		t.Errorf("debug log = %q", got)
	}
}

// TestBatchFallback checks that when the batch query fails on an object,
// its policies are evaluated one by one, so that only the failing one
// reports an error.
func TestBatchFallback(t *testing.T) {
	srcs := sources{}
	modules := map[string]*ast.Module{}
	for name, src := range map[string]string{
		"ok.rego":       "package b.ok\n\ndeny contains \"ok fired\" if input.kind == \"ConfigMap\"\n",
		"conflict.rego": "package b.conflict\n\nname := v if {\n\tsome v in input.data\n}\n\ndeny contains name if input.kind == \"ConfigMap\"\n",
	} {
		m, err := srcs.parseModule(name, src, regoV1)
		if err != nil {
			t.Fatal(err)
		}
		modules[name] = m
	}
	c, err := srcs.compile(modules)
	if err != nil {
		t.Fatal(err)
	}
	e := mustLoad(t, Options{Dirs: []string{testkit.WriteFiles(t, t.TempDir(), map[string]string{"x.rego": "package x\n"})}, NoBundled: true})
	l := &loader{store: e.store, log: slog.New(slog.DiscardHandler)}
	var refs []ast.Ref
	b := newBatch(nil, func(ctx context.Context, term *ast.Term) (rego.PreparedEvalQuery, error) {
		return l.prepare(ctx, c, term, srcs)
	})
	for i, pkg := range []string{"b.ok", "b.conflict"} {
		ref := ast.MustParseRef("data." + pkg + ".deny")
		q, err := l.prepare(t.Context(), c, ast.NewTerm(ref), srcs)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := decodeMatch(nil)
		e.policies = append(e.policies, &policy{
			Policy: Policy{ID: pkg, Outcome: findings.Fail, File: pkg},
			match:  m, query: q, ref: ref, srcs: srcs, batch: b, slot: i,
		})
		refs = append(refs, ref)
	}
	b.refs = refs
	objs := []*unstructured.Unstructured{configMap("fine", map[string]string{"a": "only"}), configMap("bad", map[string]string{"a": "x", "b": "y"})}
	fs, _, _ := mustEvaluate(t, e, objs, true)
	got := rows(fs)
	for i := range got {
		if got[i].Outcome == findings.Error {
			got[i].Message = "error"
		}
	}
	want := []row{
		{"b.conflict", "ConfigMap ns/bad", findings.Error, "error"},
		{"b.conflict", "ConfigMap ns/fine", findings.Fail, "only"},
		{"b.ok", "ConfigMap ns/bad", findings.Fail, "ok fired"},
		{"b.ok", "ConfigMap ns/fine", findings.Fail, "ok fired"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
