package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// TestShippedManifestsPassPolicies is `kubectl kustomize deploy/kustomize |
// clusterscribe policy test -`: the manifests we ship pass our own bundled
// policies, and the one deliberate exception (the read-everything
// ClusterRole and rbac-wildcard) is listed with its reason, not hidden.
func TestShippedManifestsPassPolicies(t *testing.T) {
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), filepath.Join("..", "..", "deploy", "kustomize"))
	if err != nil {
		t.Fatalf("kustomize build deploy/kustomize: %v", err)
	}
	manifests, err := m.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	cmd := newRootCommand(genericiooptions.IOStreams{In: bytes.NewReader(manifests), Out: &out, ErrOut: &errOut})
	cmd.SetArgs([]string{"policy", "test", "-"})
	if err := cmd.ExecuteContext(t.Context()); err != nil {
		t.Fatalf("policy test - on deploy/kustomize: %v (exit %d)\n%s%s", err, exitCode(err), out.String(), errOut.String())
	}
	report := out.String()
	for _, want := range []string{
		"ClusterRole.rbac.authorization.k8s.io clusterscribe-read",
		"rbac-wildcard — Wildcards in RBAC rules [exception]",
		"excepted    clusterscribe reads every kind",
		"no policy findings; 1 exception",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
}
