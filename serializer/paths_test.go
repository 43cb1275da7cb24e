package serializer

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestObjectPath(t *testing.T) {
	tests := []struct {
		name string
		ref  ObjectRef
		want string
	}{
		{
			name: "namespaced core",
			ref:  ObjectRef{Cluster: "prod", Resource: "configmaps", Namespace: "shop", Name: "settings"},
			want: "prod/namespaces/shop/core/configmaps/settings.yaml",
		},
		{
			name: "namespaced group",
			ref:  ObjectRef{Cluster: "prod", Group: "apps", Resource: "deployments", Namespace: "shop", Name: "web"},
			want: "prod/namespaces/shop/apps/deployments/web.yaml",
		},
		{
			name: "cluster-scoped rbac name",
			ref:  ObjectRef{Cluster: "prod", Group: "rbac.authorization.k8s.io", Resource: "clusterroles", Name: "system:controller:foo"},
			want: "prod/cluster/rbac.authorization.k8s.io/clusterroles/system%3Acontroller%3Afoo.yaml",
		},
		{
			name: "cluster-scoped core",
			ref:  ObjectRef{Cluster: "prod", Resource: "namespaces", Name: "shop"},
			want: "prod/cluster/core/namespaces/shop.yaml",
		},
		{
			name: "traversal attempts",
			ref:  ObjectRef{Cluster: "..", Group: "a/b", Resource: ".", Namespace: "../x", Name: ".."},
			want: ".%2E/namespaces/..%2Fx/a%2Fb/%2E/.%2E.yaml",
		},
		{
			name: "reserved device name",
			ref:  ObjectRef{Cluster: "c", Resource: "widgets", Namespace: "nul", Name: "CON"},
			want: "c/namespaces/%6Eul/core/widgets/%43ON.yaml",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ObjectPath(tt.ref)
			if got != tt.want {
				t.Errorf("ObjectPath = %q, want %q", got, tt.want)
			}
			back, err := ParseObjectPath(got)
			if err != nil {
				t.Fatalf("ParseObjectPath(%q): %v", got, err)
			}
			if diff := cmp.Diff(tt.ref, back); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncodeSegment(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{in: "web-7d9f.v2_a", want: "web-7d9f.v2_a"},
		{in: "user@example.com", want: "user@example.com"},
		{in: "system:controller:foo", want: "system%3Acontroller%3Afoo"},
		{in: "MixedCase", want: "MixedCase"},
		{in: "..", want: ".%2E"},
		{in: ".", want: "%2E"},
		{in: "../x", want: "..%2Fx"},
		{in: ".hidden", want: ".hidden"},
		{in: "trailing.", want: "trailing%2E"},
		{in: "a/b", want: "a%2Fb"},
		{in: `a\b`, want: "a%5Cb"},
		{in: "\x00", want: "%00"},
		{in: "tab\tnl\n", want: "tab%09nl%0A"},
		{in: "100%", want: "100%25"},
		{in: `<>:"|?*`, want: "%3C%3E%3A%22%7C%3F%2A"},
		{in: "with space", want: "with%20space"},
		{in: "CON", want: "%43ON"},
		{in: "con", want: "%63on"},
		{in: "Nul.yaml", want: "%4Eul.yaml"},
		{in: "COM1", want: "%43OM1"},
		{in: "lpt9.txt", want: "%6Cpt9.txt"},
		{in: "CONSOLE", want: "CONSOLE"},
		{in: "COM", want: "COM"},
		{in: "é", want: "%C3%A9"},
		{in: "\xff", want: "%FF"},
		{in: "", want: "%"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := EncodeSegment(tt.in)
			if got != tt.want {
				t.Errorf("EncodeSegment(%q) = %q, want %q", tt.in, got, tt.want)
			}
			back, err := DecodeSegment(got)
			if err != nil || back != tt.in {
				t.Errorf("DecodeSegment(%q) = %q, %v; want %q", got, back, err, tt.in)
			}
		})
	}
}

func TestDecodeSegmentRejects(t *testing.T) {
	for _, s := range []string{
		"..", ".", "a/b", `a\b`, "\x00", "a b", "CON", "con.yaml", "trailing.",
		"%3a",    // lower-case escape
		"%41",    // escape of a safe byte
		"%2",     // truncated
		"%zz",    // not hex
		"a%",     // truncated
		"%%",     // not hex
		"é",      // raw non-ASCII
		"%2E%2E", // ".." must be written ".%2E"
		"",
	} {
		t.Run(s, func(t *testing.T) {
			got, err := DecodeSegment(s)
			if !errors.Is(err, ErrInvalidPath) {
				t.Errorf("DecodeSegment(%q) = %q, %v; want ErrInvalidPath", s, got, err)
			}
		})
	}
}

func TestParseObjectPathRejects(t *testing.T) {
	for _, p := range []string{
		"",
		"prod",
		"prod/cluster/core/namespaces",
		"prod/cluster/core/namespaces/shop",     // no .yaml
		"prod/cluster/core/namespaces/shop.yml", // wrong extension
		"prod/cluster/core/namespaces/../shop.yaml",     // traversal
		"prod/cluster/core/namespaces/a/b.yaml",         // extra level
		"prod/namespaces/shop/core/configmaps",          // too short
		"prod/namespaces/%/core/configmaps/a.yaml",      // empty namespace
		"prod/namespaces/../core/configmaps/a.yaml",     // traversal
		"prod/cluster/%/configmaps/a.yaml",              // empty group
		"prod/other/core/configmaps/a.yaml",             // unknown scope
		"/prod/cluster/core/namespaces/shop.yaml",       // absolute
		"prod//cluster/core/namespaces/shop.yaml",       // empty segment
		`prod\cluster\core\namespaces\shop.yaml`,        // backslashes
		"prod/cluster/core/namespaces/sh%6Fp.yaml",      // non-canonical
		"prod/cluster/core/name spaces/shop.yaml",       // unsafe byte
		"prod/namespaces/shop/core/configmaps/CON.yaml", // reserved name unescaped
	} {
		t.Run(p, func(t *testing.T) {
			got, err := ParseObjectPath(p)
			if !errors.Is(err, ErrInvalidPath) {
				t.Errorf("ParseObjectPath(%q) = %+v, %v; want ErrInvalidPath", p, got, err)
			}
		})
	}
}

// checkSafeSegment fails if enc could be unsafe as a path segment anywhere.
func checkSafeSegment(t *testing.T, enc string) {
	t.Helper()
	if enc == "" || enc == "." || enc == ".." {
		t.Fatalf("segment %q is empty or a dot name", enc)
	}
	if strings.HasSuffix(enc, ".") {
		t.Fatalf("segment %q ends with a dot", enc)
	}
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		if c == '%' {
			if enc != "%" && (i+2 >= len(enc) || unhex(enc[i+1]) < 0 || unhex(enc[i+2]) < 0) {
				t.Fatalf("segment %q has a malformed escape", enc)
			}
			continue
		}
		if !isSafeByte(c) {
			t.Fatalf("segment %q has unsafe byte %#x", enc, c)
		}
	}
	if isReservedName(enc) || isReservedName(enc+fileExt) {
		t.Fatalf("segment %q is a Windows reserved name", enc)
	}
}
