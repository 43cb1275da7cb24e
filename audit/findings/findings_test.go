package findings

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSortKeepsAnObjectsFindingsTogether sorts policy findings on two
// objects that differ only in API version: each object's findings stay
// together, ordered by severity, instead of interleaving by severity.
func TestSortKeepsAnObjectsFindingsTogether(t *testing.T) {
	web := func(apiVersion string) ObjectRef {
		return ObjectRef{APIVersion: apiVersion, Kind: "Deployment", Namespace: "shop", Name: "web"}
	}
	r := &Report{Findings: []Finding{
		{Type: Policy, Object: web("apps/v1"), Policy: &PolicyResult{ID: "low", Severity: Low}},
		{Type: Policy, Object: web("extensions/v1beta1"), Policy: &PolicyResult{ID: "high", Severity: High}},
		{Type: Policy, Object: web("apps/v1"), Policy: &PolicyResult{ID: "critical", Severity: Critical}},
	}}
	r.Sort()
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Object.APIVersion+" "+f.Policy.ID)
	}
	want := []string{"apps/v1 critical", "apps/v1 low", "extensions/v1beta1 high"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
