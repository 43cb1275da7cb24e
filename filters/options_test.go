package filters

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
)

func TestBindFlags(t *testing.T) {
	tests := []struct {
		name    string
		initial Options
		args    []string
		want    Options
	}{
		{name: "none"},
		{
			name: "every flag",
			args: []string{
				"--include-kinds=Deployment,*.apps", "--include-kinds", "certificate.cert-manager.io",
				"--exclude-kinds=Secret",
				"--namespaces=team-*,web",
				"--exclude-namespaces=kube-*",
				"--selector", "app=web,tier in (front,back)",
				"--include-owned",
				"--include-excluded=events,nodes",
			},
			want: Options{
				IncludeKinds:      []string{"Deployment", "*.apps", "certificate.cert-manager.io"},
				ExcludeKinds:      []string{"Secret"},
				Namespaces:        []string{"team-*", "web"},
				ExcludeNamespaces: []string{"kube-*"},
				Selector:          "app=web,tier in (front,back)",
				IncludeOwned:      true,
				Include:           []string{"events", "nodes"},
			},
		},
		{
			name: "selector shorthand",
			args: []string{"-l", "app=web"},
			want: Options{Selector: "app=web"},
		},
		{
			name:    "defaults come from the options",
			initial: Options{Namespaces: []string{"web"}, Selector: "app=web", IncludeOwned: true},
			want:    Options{Namespaces: []string{"web"}, Selector: "app=web", IncludeOwned: true},
		},
		{
			name:    "flags replace the defaults",
			initial: Options{Namespaces: []string{"web"}, IncludeOwned: true},
			args:    []string{"--namespaces=db", "--include-owned=false"},
			want:    Options{Namespaces: []string{"db"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.initial
			fs := pflag.NewFlagSet("record", pflag.ContinueOnError)
			o.BindFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatalf("Parse(%q): %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, o); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBindFlagsHelpNamesExclusions(t *testing.T) {
	var o Options
	fs := pflag.NewFlagSet("record", pflag.ContinueOnError)
	o.BindFlags(fs)
	usage := fs.Lookup(flagIncludeExcluded).Usage
	for _, name := range append(exclusionNames(), IncludeAll) {
		if !strings.Contains(usage, name) {
			t.Errorf("--%s help does not name %q: %s", flagIncludeExcluded, name, usage)
		}
	}
}
