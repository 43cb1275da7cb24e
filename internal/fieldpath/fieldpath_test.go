package fieldpath

import "testing"

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
