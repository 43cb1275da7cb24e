package policies

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// TestPolicySetAndPasses: the policy set is named after its sources and
// versioned by their content (an edit changes the version); the objects a
// policy passed are recorded unless OmitPasses.
func TestPolicySetAndPasses(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/gatekeeper/requiredlabels.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "requiredlabels.yaml")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	load := func(omit bool) *Engine {
		e := mustLoad(t, Options{Dirs: []string{dir}, NoBundled: true, OmitPasses: omit})
		return e
	}
	e := load(false)
	ps := e.PolicySet("manifests x")
	if ps.Name != dir || !strings.HasPrefix(ps.Version, "sha256:") || ps.Scope != "manifests x" {
		t.Errorf("policy set %+v", ps)
	}
	_, stats, _ := mustEvaluateManifests(t, e, readManifests(t, "testdata/manifests/shop.yaml"))
	var passed []findings.ObjectRef
	for _, s := range stats {
		passed = append(passed, s.Passed...)
		if len(s.Passed) != s.Evaluated-s.Failed {
			t.Errorf("%s: %d passed objects, %d evaluated, %d failed", s.ID, len(s.Passed), s.Evaluated, s.Failed)
		}
	}
	if diff := cmp.Diff([]findings.ObjectRef{{APIVersion: "v1", Kind: "Namespace", Name: "shop"}}, passed); diff != "" {
		t.Errorf("passed (-want +got):\n%s", diff)
	}
	_, stats, _, err = load(true).EvaluateManifests(t.Context(), readManifests(t, "testdata/manifests/shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stats {
		if s.Passed != nil {
			t.Errorf("OmitPasses: %s recorded %v", s.ID, s.Passed)
		}
	}
	if err := os.WriteFile(file, append(data, "\n# edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if v := load(false).PolicySet("").Version; v == ps.Version {
		t.Errorf("version %s did not change with the policies' content", v)
	}
	withBundled, err := Load(t.Context(), Options{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if got := withBundled.PolicySet("").Name; got != BundledSetName+"+"+dir {
		t.Errorf("name with the bundled set: %q", got)
	}
}
