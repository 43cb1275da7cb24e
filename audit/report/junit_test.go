package report

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

type junitRead struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Cases    []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// TestJUnitParses reads the JUnit output back with encoding/xml: the counts
// agree with the cases and with the report, every policy with stats has a
// passing case for its passes, and failures carry the diff.
func TestJUnitParses(t *testing.T) {
	var got junitRead
	if err := xml.Unmarshal([]byte(renderFormat(t, "junit", fixtureReport())), &got); err != nil {
		t.Fatalf("JUnit does not parse: %v", err)
	}

	var names []string
	tests, failures, errors := 0, 0, 0
	for _, s := range got.Suites {
		names = append(names, s.Name)
		f, e := 0, 0
		for _, c := range s.Cases {
			if c.Failure != nil {
				f++
			}
			if c.Error != nil {
				e++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e {
			t.Errorf("suite %s: tests/failures/errors = %d/%d/%d, cases say %d/%d/%d", s.Name, s.Tests, s.Failures, s.Errors, len(s.Cases), f, e)
		}
		tests += s.Tests
		failures += s.Failures
		errors += s.Errors
	}
	if got.Tests != tests || got.Failures != failures || got.Errors != errors {
		t.Errorf("testsuites tests/failures/errors = %d/%d/%d, suites sum to %d/%d/%d", got.Tests, got.Failures, got.Errors, tests, failures, errors)
	}
	wantNames := []string{
		"drift/Modified", "drift/MissingLive", "drift/Unmanaged",
		"policy/added-capabilities", "policy/cluster-admin-binding", "policy/host-namespaces", "policy/ingress-tls", "policy/latest-tag",
		"policy/network-policy", "policy/privileged-container", "policy/rbac-wildcard", "policy/required-labels",
		"policy/run-as-root", "policy/secret-env-vars", "problems",
	}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("suites (-want +got):\n%s", diff)
	}

	// 6 drift findings and 7 failing policy findings fail; 1 policy
	// evaluation error and 2 problems are errors; the warning passes.
	if got.Failures != 13 || got.Errors != 3 {
		t.Errorf("failures/errors = %d/%d, want 13/3", got.Failures, got.Errors)
	}
	r := fixtureReport()
	for _, s := range got.Suites {
		id, ok := strings.CutPrefix(s.Name, "policy/")
		if !ok {
			continue
		}
		var stat findings.PolicyStat
		for _, p := range r.Policies {
			if p.ID == id {
				stat = p
			}
		}
		want := plural(stat.Evaluated-stat.Failed-stat.Excepted, "object") + " passed"
		if stat.Evaluated == 0 {
			want = "no objects evaluated"
		}
		found := false
		for _, c := range s.Cases {
			found = found || (c.Name == want && c.Failure == nil && c.Error == nil)
		}
		if !found {
			t.Errorf("suite %s: no passing case %q", s.Name, want)
		}
	}
	for _, s := range got.Suites {
		if s.Name != "drift/Modified" {
			continue
		}
		for _, c := range s.Cases {
			if c.Name == "Deployment.apps shop/web" && !strings.Contains(c.Failure.Body, "+        image: registry.acme.io/shop/web:1.42.1-hotfix") {
				t.Errorf("the failure of %s lacks its diff:\n%s", c.Name, c.Failure.Body)
			}
		}
	}
	for _, s := range got.Suites {
		for _, c := range s.Cases {
			if s.Name == "policy/latest-tag" && strings.HasPrefix(c.Name, "Deployment") && !strings.HasPrefix(c.SystemOut, "warning: ") {
				t.Errorf("the warning %s has no warning output", c.Name)
			}
		}
	}
}

func TestJUnitInvalidXMLCharacters(t *testing.T) {
	r := &findings.Report{Findings: []findings.Finding{{
		Type: findings.Unmanaged, Object: deployDebug, Message: "bell \a and escape \x1b[31m",
		Attribution: []findings.Attribution{{Manager: "kubectl\x00"}},
	}}}
	var got junitRead
	if err := xml.Unmarshal([]byte(renderFormat(t, "junit", r)), &got); err != nil {
		t.Fatalf("JUnit with control characters does not parse: %v", err)
	}
}
