package policies

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// TestBundledRego runs the opa-test style tests next to each bundled policy
// (bundled/*_test.rego), as `opa test policies/bundled` would, and checks
// that every policy has tests of allowed and of denied objects.
func TestBundledRego(t *testing.T) {
	modules, _, err := bundledModules(true)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithCapabilities(capabilities())).
		SetModules(modules).
		RunTests(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	type counts struct{ allowed, denied int }
	ran := map[string]*counts{}
	for r := range ch {
		name := strings.TrimPrefix(r.Package, "data.") + "." + r.Name
		if r.Error != nil {
			t.Errorf("%s: %v", name, r.Error)
			continue
		}
		if r.Fail {
			t.Errorf("%s failed (%s)", name, r.Location)
			continue
		}
		pkg := strings.TrimSuffix(strings.TrimPrefix(r.Package, "data."), "_test")
		if ran[pkg] == nil {
			ran[pkg] = &counts{}
		}
		switch {
		case strings.HasPrefix(r.Name, "test_allowed_"):
			ran[pkg].allowed++
		case strings.HasPrefix(r.Name, "test_denied_"):
			ran[pkg].denied++
		default:
			t.Errorf("%s: test names start with test_allowed_ or test_denied_", name)
		}
	}
	for name, m := range modules {
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if strings.HasSuffix(name, "_test.rego") || !strings.HasPrefix(pkg, "clusterscribe.bundled.") {
			continue
		}
		c := ran[pkg]
		if c == nil || c.allowed == 0 || c.denied == 0 {
			t.Errorf("%s (%s) needs passing tests of allowed and of denied objects, ran %+v", pkg, name, c)
		}
	}
}

// issuePolicies are the policies the bundled set must hold.
var issuePolicies = []string{
	"privileged-container", "host-path", "host-network", "host-pid", "host-ipc",
	"run-as-root", "privilege-escalation", "added-capabilities", "read-only-root-filesystem",
	"resources", "image-tag", "image-registry", "secret-env", "rbac-wildcard",
	"cluster-admin-binding", "default-service-account-token", "exposed-service",
	"namespace-network-policy", "required-labels", "ingress-tls",
}

// TestBundledMetadata checks the metadata of every bundled policy: all of
// id, title, severity, description and remediation, controls of known
// frameworks, and the PSS level as the control id.
func TestBundledMetadata(t *testing.T) {
	e, err := Load(t.Context(), Options{Params: Params{
		AllowedRegistries: []string{"ghcr.io/acme"},
		RequiredLabels:    []LabelRequirement{{Key: "team"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range e.Policies() {
		ids = append(ids, p.ID)
		if p.Title == "" || p.Description == "" || p.Remediation == "" || p.Severity.Rank() > 3 {
			t.Errorf("%s: incomplete metadata: %+v", p.ID, p)
		}
		if p.File != "bundled:"+p.ID || p.Dialect != DialectBundled || p.Outcome != findings.Fail {
			t.Errorf("%s: file %q, dialect %q, outcome %q", p.ID, p.File, p.Dialect, p.Outcome)
		}
		if len(p.Match.Kinds) == 0 {
			t.Errorf("%s: applies to every kind; bundled policies name theirs", p.ID)
		}
		if len(p.Controls) == 0 && p.ID != "required-labels" {
			t.Errorf("%s: maps to no control", p.ID)
		}
		for _, c := range p.Controls {
			if c.Title == "" {
				t.Errorf("%s: control %s %s has no title", p.ID, c.Framework, c.ID)
			}
			if c.Framework == FrameworkPSS && c.ID != "baseline" && c.ID != "restricted" {
				t.Errorf("%s: PSS control id %q is not a level", p.ID, c.ID)
			}
		}
	}
	want := slices.Sorted(slices.Values(issuePolicies))
	if !slices.Equal(want, ids) {
		t.Errorf("bundled policies = %v, want %v", ids, want)
	}
}

// TestBundledParams checks that policies whose parameter is empty, and
// policies switched off, are not loaded.
func TestBundledParams(t *testing.T) {
	tests := []struct {
		name    string
		params  Params
		absent  []string
		present []string
		err     string
	}{
		{name: "defaults", absent: []string{"image-registry", "required-labels"}, present: []string{"privileged-container"}},
		{name: "registry allow-list", params: Params{AllowedRegistries: []string{"ghcr.io"}}, present: []string{"image-registry"}, absent: []string{"required-labels"}},
		{name: "disabled", params: Params{Disable: []string{"resources", "image-tag"}}, absent: []string{"resources", "image-tag"}, present: []string{"run-as-root"}},
		{name: "unknown disabled", params: Params{Disable: []string{"no-such-policy"}}, err: `"no-such-policy" is not a bundled policy`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Load(t.Context(), Options{Params: tt.params})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Load error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			for _, p := range e.Policies() {
				ids[p.ID] = true
			}
			for _, id := range tt.absent {
				if ids[id] {
					t.Errorf("%s is loaded", id)
				}
			}
			for _, id := range tt.present {
				if !ids[id] {
					t.Errorf("%s is not loaded", id)
				}
			}
		})
	}
}

func ExampleEngine_Policies() {
	e, err := Load(context.Background(), Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range e.Policies()[:3] {
		fmt.Println(p.ID, p.Severity, p.Controls[0].Framework, p.Controls[0].ID)
	}
	// Output:
	// added-capabilities medium CIS 5.2.9
	// cluster-admin-binding critical CIS 5.1.1
	// default-service-account-token medium CIS 5.1.5
}
