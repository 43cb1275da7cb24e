package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPolicyVerify runs the library-layout Suites of policies/suite: exit
// 0 and gator's "ok ... PASS" when every assertion holds, 1 and the
// failing case when one does not, 2 for bad flags and paths without a
// Suite; -o selects the format.
func TestPolicyVerify(t *testing.T) {
	const lib = "../../policies/suite/testdata/library"
	out, _, err := runCommand(t, "policy", "verify", lib)
	if err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	if !strings.HasSuffix(out, "PASS\n") {
		t.Errorf("verify output:\n%s", out)
	}
	// Rego, K8sNativeValidation and ValidatingAdmissionPolicy suites.
	for _, s := range []string{"teamlabel", "pinnedimages", "replicalimit"} {
		if !strings.Contains(out, "ok\t"+lib+"/"+s+"/suite.yaml\t") {
			t.Errorf("verify output lacks %s:\n%s", s, out)
		}
	}

	out, _, err = runCommand(t, "policy", "verify", "-o", "json", "--run", "^unlabelled$", lib+"/teamlabel/suite.yaml")
	if err != nil {
		t.Fatalf("verify -o json: %v", err)
	}
	var doc struct {
		Suites []struct {
			Status string
			Tests  []struct {
				Name, Status string
				Cases        []struct{ Name, Status string }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("verify -o json: %v in %s", err, out)
	}
	cases := doc.Suites[0].Tests[0].Cases
	if doc.Suites[0].Status != "pass" || cases[0].Status != "skip" || cases[1].Name != "unlabelled" || cases[1].Status != "pass" {
		t.Errorf("verify -o json --run: %s", out)
	}

	out, _, err = runCommand(t, "policy", "verify", "../../policies/suite/testdata/failing")
	if code := exitCodeOf(err); code != exitPolicyFail {
		t.Errorf("failing suite: exit %d (%v), want %d", code, err, exitPolicyFail)
	}
	if !strings.Contains(out, "--- FAIL: want-none-got-one") || !strings.Contains(out, "broken_template.yaml:17:9") || !strings.HasSuffix(out, "FAIL\n") {
		t.Errorf("failing suite output:\n%s", out)
	}

	for _, args := range [][]string{
		{"policy", "verify", "-o", "xml", lib},
		{"policy", "verify", t.TempDir()},
		{"policy", "verify", "--run", "(", lib},
	} {
		if _, _, err := runCommand(t, args...); exitCodeOf(err) != exitPolicyError {
			t.Errorf("%v: exit %d (%v), want %d", args, exitCodeOf(err), err, exitPolicyError)
		}
	}
	if _, _, err := runCommand(t, "policy", "verfiy"); err == nil || !strings.Contains(err.Error(), `unknown command "verfiy"`) {
		t.Errorf("unknown subcommand: %v", err)
	}
}

// TestPolicyTestNamesPolicySet: policy test's report names the policy set,
// its version and the manifests it read, and claims no drift: no drift
// audit ran.
func TestPolicyTestNamesPolicySet(t *testing.T) {
	const sample = "../../policies/suite/testdata/library/teamlabel/"
	out, _, err := runCommand(t, "policy", "test", "--no-bundled", "--policies", sample+"template.yaml",
		"--policies", sample+"samples/namespace-team/constraint.yaml", sample+"samples/namespace-team/example_allowed.yaml")
	if err != nil {
		t.Fatalf("policy test: %v\n%s", err, out)
	}
	for _, want := range []string{"Policies   " + sample + "template.yaml+", "@ sha256:", "Scope      manifests " + sample, "Summary: no policy findings"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "no drift") {
		t.Errorf("policy test claims no drift:\n%s", out)
	}
}
