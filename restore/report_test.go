package restore

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/golden"
)

func sampleSummary(dryRun DryRun) Summary {
	broken := "prod/namespaces/shop/core/configmaps/broken.yaml"
	s := Summary{
		Commit:  "3f2a9c1d0b7e4a5f8e9d0c1b2a3f4e5d6c7b8a90",
		Cluster: "prod",
		DryRun:  dryRun,
		Started: time.Date(2026, 11, 22, 1, 2, 3, 0, time.UTC),
		Results: []Result{
			{Path: "prod/README.md", Action: Skipped, Reason: ReasonNotObject},
			{Path: broken, Action: Failed, Err: &ObjectError{Path: broken, Err: errors.New("malformed: document 1: yaml: line 4: did not find expected key")}},
			{Path: "prod/namespaces/shop/core/secrets/token.yaml", Object: Object{Version: "v1", Kind: "Secret", Namespace: "shop", Name: "token"}, Action: Skipped, Reason: ReasonRedacted},
			{Path: "prod/cluster/core/namespaces/shop.yaml", Object: Object{Version: "v1", Kind: "Namespace", Name: "shop"}, Action: Created},
			{Path: "prod/cluster/core/namespaces/default.yaml", Object: Object{Version: "v1", Kind: "Namespace", Name: "default"}, Action: Skipped, Reason: ReasonExists},
			{Path: "prod/namespaces/shop/core/configmaps/settings.yaml", Object: Object{Version: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "settings"}, Action: Updated},
			{Path: "prod/namespaces/shop/core/configmaps/rates.yaml", Object: Object{Version: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "rates"}, Action: Unchanged},
			{
				Path: "prod/namespaces/shop/apps/deployments/web.yaml", Object: Object{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "shop", Name: "web"},
				Action: Failed, Err: &ObjectError{Path: "prod/namespaces/shop/apps/deployments/web.yaml", Object: "Deployment.apps shop/web", Err: errors.New(`the cluster does not serve apps/v9, Kind=Deployment`)},
			},
			{
				Path: "prod/namespaces/shop/example.com/widgets/blue.yaml", Object: Object{Group: "example.com", Version: "v1", Kind: "Widget", Namespace: "shop", Name: "blue"},
				Action: Created, Reason: "ownerReferences dropped, owner not in the cluster: Gadget/g1",
			},
		},
	}
	if dryRun == DryRunClient { // the cluster was not asked: what is in scope is planned
		for i, r := range s.Results {
			switch r.Action {
			case Created, Updated, Unchanged, Failed:
				if r.Object.Kind != "" {
					s.Results[i].Action, s.Results[i].Reason = Planned, ""
				}
			case Skipped:
				if r.Reason == ReasonExists {
					s.Results[i].Action, s.Results[i].Reason = Planned, ""
				}
			}
		}
	}
	return s
}

func TestWriteReport(t *testing.T) {
	tests := []struct {
		golden string
		dryRun DryRun
		format Format
	}{
		{"report.golden", "", FormatTable},
		{"report-dry-run.golden", DryRunServer, FormatTable},
		{"report-client-dry-run.golden", DryRunClient, FormatTable},
		{"report-wide.golden", "", FormatWide},
		{"report.json.golden", "", FormatJSON},
		{"report-client-dry-run.json.golden", DryRunClient, FormatJSON},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var b strings.Builder
			if err := WriteReport(&b, sampleSummary(tt.dryRun), tt.format); err != nil {
				t.Fatal(err)
			}
			golden.CheckString(t, filepath.Join("testdata", tt.golden), b.String())
		})
	}
}

func TestWriteHistory(t *testing.T) {
	changes := []Change{
		{
			Commit: "3f2a9c1d0b7e4a5f8e9d0c1b2a3f4e5d6c7b8a90", Time: time.Date(2026, 1, 4, 10, 0, 5, 0, time.UTC),
			Author: "clusterscribe", Email: "clusterscribe@localhost", Change: "changed",
			Path:  "prod/namespaces/shop/apps/deployments/web.yaml",
			Lines: []string{"changed Deployment.apps shop/web (kubectl-edit Update 2026-01-04T10:00:00Z)"},
		},
		{
			Commit: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", Time: time.Date(2026, 1, 1, 10, 0, 5, 0, time.UTC),
			Author: "clusterscribe", Email: "clusterscribe@localhost", Change: "added",
			Path: "prod/namespaces/shop/apps/deployments/web.yaml",
		},
	}
	for _, f := range []Format{FormatTable, FormatWide, FormatJSON} {
		t.Run(string(f), func(t *testing.T) {
			var b strings.Builder
			if err := WriteHistory(&b, changes, f); err != nil {
				t.Fatal(err)
			}
			golden.CheckString(t, filepath.Join("testdata", "history-"+string(f)+".golden"), b.String())
		})
	}
}
