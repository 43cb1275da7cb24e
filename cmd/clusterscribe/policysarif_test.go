package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/clusterscribe/clusterscribe/internal/sarifschema"
)

// TestPolicyTestVAPSARIF runs policy test with a ValidatingAdmissionPolicy,
// its binding and ConfigMap params (the library suite's), and with the
// bundled policies on a privileged Pod: both SARIF reports are valid SARIF
// 2.1.0, and the VAP's finding carries the policy's message.
func TestPolicyTestVAPSARIF(t *testing.T) {
	lib := filepath.Join("..", "..", "policies", "suite", "testdata", "library", "replicalimit")
	out, _, err := runCommand(t, "policy", "test", "--no-bundled",
		"--policies", filepath.Join(lib, "template.yaml"),
		"--policies", filepath.Join(lib, "samples", "replica-limit", "constraint.yaml"),
		"-o", "sarif", filepath.Join(lib, "samples", "replica-limit", "example_disallowed.yaml"))
	if exitCodeOf(err) != 1 {
		t.Fatalf("exit code = %d (%v), want 1", exitCodeOf(err), err)
	}
	sarifschema.Validate(t, "policy test -o sarif (VAP)", []byte(out))
	var doc struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range doc.Runs {
		for _, res := range r.Results {
			got = append(got, res.RuleID+": "+res.Message.Text)
		}
	}
	want := "ValidatingAdmissionPolicyBinding/replica-limit: Deployment.apps shop/web: replicas of web must be at most 10, not 12 (audit annotations: replicas=12)"
	if len(got) != 1 || got[0] != want {
		t.Errorf("results = %q, want only %q", got, want)
	}

	var bundled, errOut strings.Builder
	cmd := newRootCommand(genericiooptions.IOStreams{In: strings.NewReader(privilegedPod), Out: &bundled, ErrOut: &errOut})
	cmd.SetArgs([]string{"policy", "test", "-o", "sarif", "-"})
	if err := cmd.ExecuteContext(t.Context()); exitCodeOf(err) != 1 {
		t.Fatalf("bundled: exit code = %d (%v), want 1", exitCodeOf(err), err)
	}
	sarifschema.Validate(t, "policy test -o sarif (bundled)", []byte(bundled.String()))
}
