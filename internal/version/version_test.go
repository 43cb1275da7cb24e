package version

import (
	"runtime/debug"
	"testing"
)

func TestModuleVersion(t *testing.T) {
	for _, tt := range []struct {
		ldflags, main, want string
	}{
		{"dev", "v1.2.3", "v1.2.3"},
		{"dev", "v0.0.0-20261205172559-0123456789ab", "v0.0.0-20261205172559-0123456789ab"},
		{"dev", "(devel)", "dev"},
		{"dev", "", "dev"},
		{"v2.0.0", "v1.2.3", "v2.0.0"},
	} {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/clusterscribe/clusterscribe", Version: tt.main}}
		if got := moduleVersion(tt.ldflags, bi); got != tt.want {
			t.Errorf("ldflags %q, main %q: %q, want %q", tt.ldflags, tt.main, got, tt.want)
		}
	}
}
