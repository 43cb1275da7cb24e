package fieldpath

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestString(t *testing.T) {
	tests := []struct {
		path Path
		want string
	}{
		{Path{}.Key("spec").Key("replicas"), "spec.replicas"},
		{Path{}.Key("spec").Key("containers").Item(0, "name", "web").Key("image"), "spec.containers[name=web].image"},
		{Path{}.Key("metadata").Key("labels").Key("app.kubernetes.io/name"), `metadata.labels["app.kubernetes.io/name"]`},
		{Path{}.Key("rules").Item(2, "", nil).Key("verbs"), "rules[2].verbs"},
		{Path{}.Key("ports").Item(1, "containerPort", int64(8080)), "ports[containerPort=8080]"},
		{Path{}.Key("data").Key("tls.crt"), `data["tls.crt"]`},
	}
	for _, tt := range tests {
		if got := tt.path.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestPathsDoNotShareStorage(t *testing.T) {
	base := make(Path, 0, 8).Key("spec")
	a, b := base.Key("a"), base.Key("b")
	if a.String() != "spec.a" || b.String() != "spec.b" {
		t.Errorf("a = %s, b = %s", a, b)
	}
}

func TestLookup(t *testing.T) {
	obj := map[string]any{
		"spec": map[string]any{"ports": []any{
			map[string]any{"port": int64(80), "name": "http"},
			map[string]any{"port": int64(443), "name": "https"},
		}},
		"args":   []any{"a", nil},
		"status": nil,
	}
	tests := []struct {
		path string
		want any
		ok   bool
	}{
		{path: "spec.ports[port=443].name", want: "https", ok: true},
		{path: "spec.ports[1].port", want: int64(443), ok: true},
		{path: "spec.ports[port=8080].name"},
		{path: "spec.ports[2]"},
		{path: "spec.ports.name"},
		// A null is there, holding nil, in a list as in a map.
		{path: "args[1]", want: nil, ok: true},
		{path: "status", want: nil, ok: true},
		{path: "args[1].name"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := Parse(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := p.Lookup(obj)
			if ok != tt.ok || !cmp.Equal(tt.want, got) {
				t.Errorf("Lookup = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
