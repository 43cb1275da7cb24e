package filters

import (
	"errors"
	"path"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantIs  []error
		wantMsg string
	}{
		{
			name:    "bad namespace glob",
			opts:    Options{Namespaces: []string{"team-[a"}},
			wantIs:  []error{ErrBadGlob, path.ErrBadPattern},
			wantMsg: `--namespaces: bad glob "team-[a": syntax error in pattern`,
		},
		{
			name:    "bad excluded namespace glob",
			opts:    Options{ExcludeNamespaces: []string{"kube-*", `x\`}},
			wantIs:  []error{ErrBadGlob, path.ErrBadPattern},
			wantMsg: `--exclude-namespaces: bad glob "x\\": syntax error in pattern`,
		},
		{
			name:    "empty namespace",
			opts:    Options{Namespaces: []string{""}},
			wantIs:  []error{ErrBadGlob},
			wantMsg: `--namespaces: bad glob "": empty pattern`,
		},
		{
			name:    "bad selector",
			opts:    Options{Selector: "app in (web"},
			wantIs:  []error{ErrBadSelector},
			wantMsg: `--selector: bad label selector "app in (web": unable to parse requirement: found '', expected: ',' or ')'`,
		},
		{
			name:    "bad include kind",
			opts:    Options{IncludeKinds: []string{"Deployment", ".apps"}},
			wantIs:  []error{ErrBadKindPattern},
			wantMsg: `--include-kinds: bad kind pattern ".apps": no kind before the dot (use *.group for every kind of a group)`,
		},
		{
			name:    "bad exclude kind",
			opts:    Options{ExcludeKinds: []string{"secret."}},
			wantIs:  []error{ErrBadKindPattern},
			wantMsg: `--exclude-kinds: bad kind pattern "secret.": no group after the dot (use kind.core for the core group)`,
		},
		{
			name:   "unknown exclusion",
			opts:   Options{Include: []string{"events", "evnts"}},
			wantIs: []error{ErrUnknownExclusion},
			wantMsg: `--include-excluded: unknown exclusion "evnts": known: all, events, leases, endpoints, endpointslices, ` +
				`metrics, reviews, csrs, nodes, controllerrevisions, componentstatuses, bindings, ipaddresses, apiserver-defaults, owned, ` +
				`sa-token-secrets, helm-release-secrets, kube-root-ca`,
		},
		{
			name: "every problem at once",
			opts: Options{
				IncludeKinds: []string{""},
				Namespaces:   []string{"["},
				Selector:     "=web",
				Include:      []string{"nope"},
			},
			wantIs: []error{ErrBadKindPattern, ErrBadGlob, ErrBadSelector, ErrUnknownExclusion},
			wantMsg: `--include-kinds: bad kind pattern "": empty pattern` + "\n" +
				`--namespaces: bad glob "[": syntax error in pattern` + "\n" +
				`--selector: bad label selector "=web": found '=', expected: !, identifier, or 'end of string'` + "\n" +
				`--include-excluded: unknown exclusion "nope": known: all, events, leases, endpoints, endpointslices, ` +
				`metrics, reviews, csrs, nodes, controllerrevisions, componentstatuses, bindings, ipaddresses, apiserver-defaults, owned, ` +
				`sa-token-secrets, helm-release-secrets, kube-root-ca`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := New(tt.opts)
			if err == nil {
				t.Fatalf("New(%+v) = %v, want an error", tt.opts, f)
			}
			for _, target := range tt.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false", err, target)
				}
			}
			if diff := cmp.Diff(tt.wantMsg, err.Error()); diff != "" {
				t.Errorf("error message (-want +got):\n%s", diff)
			}
			var fe *FlagError
			if !errors.As(err, &fe) || fe.Flag == "" {
				t.Errorf("errors.As(%v, *FlagError) found no flag", err)
			}
		})
	}
}

func TestNewAccepts(t *testing.T) {
	for _, o := range []Options{
		{},
		{IncludeKinds: []string{"Deployment", "*.apps", "configmap.core", "*"}, ExcludeKinds: []string{"Secret"}},
		{Namespaces: []string{"team-*", "prod-[0-9]", "default"}, ExcludeNamespaces: []string{"kube-?*"}},
		{Selector: "app=web,tier!=cache,env in (prod,staging),!legacy"},
		{Selector: "   "},
		{Include: []string{"all"}},
		{Include: []string{" Events ", "NODES"}, IncludeOwned: true},
	} {
		if _, err := New(o); err != nil {
			t.Errorf("New(%+v): %v", o, err)
		}
	}
}
