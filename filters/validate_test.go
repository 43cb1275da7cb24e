package filters

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/watcher"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		served  []watcher.Resource
		wantIs  []error
		wantMsg string // "" for no error
	}{
		{name: "no patterns"},
		{name: "no patterns, nothing served", served: []watcher.Resource{}},
		{
			name: "known kinds",
			opts: Options{
				IncludeKinds: []string{"Deployment", "configmaps", "Secret.core", "*.cert-manager.io", "widget.example.com", "*"},
				ExcludeKinds: []string{"ReplicaSet.apps", "*.metrics.k8s.io"},
			},
		},
		{
			name:    "misspelled kind",
			opts:    Options{IncludeKinds: []string{"Deploymnet", "Service"}},
			wantIs:  []error{ErrUnknownKind},
			wantMsg: `--include-kinds: unknown kind "Deploymnet"`,
		},
		{
			name:    "wrong group",
			opts:    Options{IncludeKinds: []string{"Deployment.extensions"}},
			wantIs:  []error{ErrUnknownKind},
			wantMsg: `--include-kinds: unknown kind "Deployment.extensions"`,
		},
		{
			name:    "group serves nothing",
			opts:    Options{IncludeKinds: []string{"*.monitoring.coreos.com"}},
			wantIs:  []error{ErrUnknownKind},
			wantMsg: `--include-kinds: unknown kind "*.monitoring.coreos.com"`,
		},
		{
			name:    "unknown excluded kind",
			opts:    Options{ExcludeKinds: []string{"Secret", "Secrets.apps"}},
			wantIs:  []error{ErrUnknownKind},
			wantMsg: `--exclude-kinds: unknown kind "Secrets.apps"`,
		},
		{
			name:    "nothing served",
			opts:    Options{IncludeKinds: []string{"*"}},
			served:  []watcher.Resource{},
			wantIs:  []error{ErrUnknownKind},
			wantMsg: `--include-kinds: unknown kind "*"`,
		},
		{
			name:    "included kind dropped by a default exclusion",
			opts:    Options{IncludeKinds: []string{"Deployment", "Event.core"}},
			wantIs:  []error{ErrExcludedKind},
			wantMsg: `--include-kinds: excluded kind "Event.core": dropped by default exclusion events; keep with --include-excluded=events`,
		},
		{
			name: "included kind kept in another group",
			opts: Options{IncludeKinds: []string{"Event"}}, // Event.example.com is not excluded
		},
		{
			name: "included kind kept by include-excluded",
			opts: Options{IncludeKinds: []string{"Event.events.k8s.io"}, Include: []string{"events"}},
		},
		{
			name: "included group partly excluded",
			opts: Options{IncludeKinds: []string{"*.coordination.k8s.io", "*.apps"}, ExcludeKinds: []string{"Deployment"}},
			wantMsg: `--include-kinds: excluded kind "*.coordination.k8s.io": ` +
				`dropped by default exclusion leases; keep with --include-excluded=leases`,
			wantIs: []error{ErrExcludedKind},
		},
		{
			name:    "included kind dropped by exclude-kinds",
			opts:    Options{IncludeKinds: []string{"deployment.apps"}, ExcludeKinds: []string{"Deployment"}},
			wantIs:  []error{ErrExcludedKind},
			wantMsg: `--include-kinds: excluded kind "deployment.apps": dropped by --exclude-kinds`,
		},
		{
			name:   "dropped by both",
			opts:   Options{IncludeKinds: []string{"*Review"}, ExcludeKinds: []string{"CodeReview.example.com"}},
			served: []watcher.Resource{rTokenReview, rWidgetReview, rSubjectAccess},
			wantIs: []error{ErrExcludedKind},
			wantMsg: `--include-kinds: excluded kind "*Review": ` +
				`dropped by default exclusion reviews and --exclude-kinds; keep with --include-excluded=reviews`,
		},
		{
			name: "every problem named",
			opts: Options{
				IncludeKinds: []string{"Deploymnet", "Node", "Service", "Ingres"},
				ExcludeKinds: []string{"Sercet"},
			},
			wantIs: []error{ErrUnknownKind, ErrExcludedKind},
			wantMsg: `--include-kinds: unknown kind "Deploymnet"` + "\n" +
				`--include-kinds: excluded kind "Node": dropped by default exclusion nodes; keep with --include-excluded=nodes` + "\n" +
				`--include-kinds: unknown kind "Ingres"` + "\n" +
				`--exclude-kinds: unknown kind "Sercet"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustNew(t, tt.opts)
			list := served
			if tt.served != nil {
				list = tt.served
			}
			err := f.Validate(list)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want %q", tt.wantMsg)
			}
			if diff := cmp.Diff(tt.wantMsg, err.Error()); diff != "" {
				t.Errorf("error message (-want +got):\n%s", diff)
			}
			for _, target := range tt.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(err, %v) = false", target)
				}
			}
		})
	}
}
