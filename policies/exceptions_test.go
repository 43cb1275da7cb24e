package policies

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// TestConftestExceptions: conftest's exception rule, with conftest's
// semantics. data.<pkg>.exception[_][_] == "name" excepts deny_name,
// violation_name and warn_name ("" excepts deny itself); the excepted
// rule is reported as an exception, counted, and fails nothing. Rules
// the exception does not name, and objects it does not select, fail as
// before.
func TestConftestExceptions(t *testing.T) {
	dir := testkit.WriteFiles(t, t.TempDir(), map[string]string{
		"policy.rego": `package main

import rego.v1

deny contains msg if {
	input.kind == "Deployment"
	input.spec.replicas < 2
	msg := sprintf("%s runs fewer than 2 replicas", [input.metadata.name])
}

deny_no_owner contains msg if {
	not input.metadata.annotations.owner
	msg := sprintf("%s has no owner annotation", [input.metadata.name])
}

violation_latest contains {"msg": "image tag latest"} if {
	some c in input.spec.template.spec.containers
	endswith(c.image, ":latest")
}

exception contains rules if {
	input.metadata.name == "legacy"
	rules := ["no_owner", "latest"]
}

exception contains [""] if input.metadata.name == "batch"
`,
	})
	e := mustLoad(t, Options{Dirs: []string{dir}, NoBundled: true})
	dep := func(name string) string {
		return strings.ReplaceAll(`apiVersion: apps/v1
kind: Deployment
metadata: {name: NAME, namespace: shop}
spec:
  replicas: 1
  template: {spec: {containers: [{name: c, image: "web:latest"}]}}
`, "NAME", name)
	}
	fs, stats, problems := mustEvaluate(t, e, objects(t, dep("legacy"), dep("batch"), dep("web")), false)
	if len(problems) > 0 {
		t.Errorf("problems: %v", problems)
	}
	want := []row{
		{"main.deny", "Deployment.apps shop/batch", findings.Exception, "batch runs fewer than 2 replicas"},
		{"main.deny", "Deployment.apps shop/legacy", findings.Fail, "legacy runs fewer than 2 replicas"},
		{"main.deny", "Deployment.apps shop/web", findings.Fail, "web runs fewer than 2 replicas"},
		{"main.deny_no_owner", "Deployment.apps shop/batch", findings.Fail, "batch has no owner annotation"},
		{"main.deny_no_owner", "Deployment.apps shop/legacy", findings.Exception, "legacy has no owner annotation"},
		{"main.deny_no_owner", "Deployment.apps shop/web", findings.Fail, "web has no owner annotation"},
		{"main.violation_latest", "Deployment.apps shop/batch", findings.Fail, "image tag latest"},
		{"main.violation_latest", "Deployment.apps shop/legacy", findings.Exception, "image tag latest"},
		{"main.violation_latest", "Deployment.apps shop/web", findings.Fail, "image tag latest"},
	}
	checkRows(t, want, fs)
	for _, f := range fs {
		if f.Policy.Outcome == findings.Exception && f.Reason != "excepted by data.main.exception" {
			t.Errorf("%s %s: reason %q, want the exception rule", f.Policy.ID, f.Object, f.Reason)
		}
	}
	for _, s := range stats {
		if s.Failed != 2 || s.Excepted != 1 || s.Evaluated != 3 {
			t.Errorf("%s: evaluated %d, failed %d, excepted %d; want 3, 2, 1", s.ID, s.Evaluated, s.Failed, s.Excepted)
		}
	}
	rep := &findings.Report{Findings: fs}
	if got := rep.Count().Exceptions; got != 3 {
		t.Errorf("Count().Exceptions = %d, want 3", got)
	}

	// Without anything left failing, the run passes, exceptions and all.
	excepted := &findings.Report{}
	for _, f := range fs {
		if f.Policy.Outcome == findings.Exception {
			excepted.Findings = append(excepted.Findings, f)
		}
	}
	if excepted.HasFailures() {
		t.Error("a report of exceptions only has failures")
	}
}

// TestExceptionsAnnotation: an object names the policies it is excepted
// from, with a reason; those findings become exceptions carrying it.
// Policies it does not name still fail; a malformed annotation excepts
// nothing and is a problem naming the file and line.
func TestExceptionsAnnotation(t *testing.T) {
	e := mustLoad(t, Options{})
	dir := testkit.WriteFiles(t, t.TempDir(), map[string]string{"rbac.yaml": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: backup-read
  annotations:
    policy.clusterscribe.io/exceptions: "rbac-wildcard=reads every kind to back it up; image-tag,image-registry=not a workload"
rules:
  - {apiGroups: ["*"], resources: ["*"], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: other
rules:
  - {apiGroups: ["*"], resources: ["*"], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: typo
  annotations:
    policy.clusterscribe.io/exceptions: "rbac-wildcard"
rules:
  - {apiGroups: ["*"], resources: ["*"], verbs: [get]}
`})
	manifests := readManifests(t, dir)
	fs, stats, problems := mustEvaluateManifests(t, e, manifests)
	var got []row
	for _, f := range fs {
		got = append(got, row{f.Policy.ID, f.Object.String(), f.Policy.Outcome, f.Reason})
	}
	want := []row{
		{"rbac-wildcard", "ClusterRole.rbac.authorization.k8s.io backup-read", findings.Exception, "reads every kind to back it up"},
		{"rbac-wildcard", "ClusterRole.rbac.authorization.k8s.io other", findings.Fail, ""},
		{"rbac-wildcard", "ClusterRole.rbac.authorization.k8s.io typo", findings.Fail, ""},
	}
	slices.SortFunc(got, func(a, b row) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, s := range stats {
		if s.ID == "rbac-wildcard" && (s.Excepted != 1 || s.Failed != 2) {
			t.Errorf("rbac-wildcard: failed %d, excepted %d; want 2, 1", s.Failed, s.Excepted)
		}
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Message, "POLICY-ID") || problems[0].Source.Line != 17 {
		t.Errorf("problems: %+v, want one at the object (line 17) saying how to write the annotation", problems)
	}
}

func TestParseExceptions(t *testing.T) {
	got, err := ParseExceptions("a=one\n b , c = two ;")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"a": "one", "b": "two", "c": "two"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "a", "a=", "=why", "a b=why", ";"} {
		if _, err := ParseExceptions(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
