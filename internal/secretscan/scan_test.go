package secretscan

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"
)

// TestTextFindsEverySpelling plants a canary in the ways a Secret's value
// reaches text: as it is, in a manifest's data (base64), inside a larger
// base64 blob at each byte offset (a docker config, a kubeconfig), in both
// alphabets, padded or not; and checks nothing is found in text without it.
func TestTextFindsEverySpelling(t *testing.T) {
	v := Canary()
	std, url := base64.StdEncoding, base64.URLEncoding
	manifest, err := sigsyaml.Marshal(map[string]any{"kind": "Secret", "data": map[string][]byte{"password": []byte(v)}})
	if err != nil {
		t.Fatal(err)
	}
	dockerConfig, err := json.Marshal(map[string]any{"auths": map[string]any{"r.example": map[string]string{"password": v}}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text, form string
	}{
		{"plain in a log line", `level=INFO msg=applied value="` + v + `"`, "plain"},
		{"Secret data in a manifest", string(manifest), "base64"},
		{"unpadded", std.WithPadding(base64.NoPadding).EncodeToString([]byte(v)), "base64"},
		{"inside a larger blob, offset 1", std.EncodeToString(append([]byte("x"), v...)) + "\n", "base64 at offset 1"},
		{"inside a larger blob, offset 2", std.EncodeToString(append([]byte("xy"), v...)), "base64 at offset 2"},
		{"a docker config", std.EncodeToString(dockerConfig), ""},
		{"URL alphabet", url.EncodeToString(append([]byte("\xff\xfe"), v...)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := Text("artifact", []byte(tt.text))
			if len(hits) == 0 {
				t.Fatalf("no hit in %q", tt.text)
			}
			if tt.form != "" && hits[0].Form != tt.form {
				t.Errorf("form = %q, want %q", hits[0].Form, tt.form)
			}
			if !strings.Contains(hits[0].Secret, "scan_test.go") {
				t.Errorf("the hit does not say where the value was made: %q", hits[0].Secret)
			}
			if strings.Contains(hits[0].String(), v) {
				t.Errorf("the report shows the value: %s", hits[0])
			}
		})
	}
	for _, clean := range []string{"", "password: <redacted:0123456789ab>", std.EncodeToString([]byte("csx-canar")), "csx-canary"} {
		if hits := Text("clean", []byte(clean)); len(hits) != 0 {
			t.Errorf("hits in %q: %v", clean, hits)
		}
	}
}

// TestTextFindsCanariesOfOtherProcesses: a canary nobody registered here
// is found by its prefix, plain or encoded; one that is registered is
// reported once, by name.
func TestTextFindsCanariesOfOtherProcesses(t *testing.T) {
	foreign := Prefix + "00112233445566778899aabb"
	for _, text := range []string{foreign, base64.StdEncoding.EncodeToString([]byte("ab" + foreign))} {
		hits := Text("log", []byte(text))
		if len(hits) != 1 || !strings.Contains(hits[0].Secret, "not registered") {
			t.Errorf("hits in %q: %v, want one unregistered canary", text, hits)
		}
	}
	mine := Canary()
	hits := Text("log", []byte("one "+mine+"\ntwo "+foreign))
	type got struct {
		Registered bool
		Line       int
	}
	var gotHits []got
	for _, h := range hits {
		gotHits = append(gotHits, got{Registered: strings.Contains(h.Secret, "(registered at"), Line: h.Line})
	}
	if diff := cmp.Diff([]got{{true, 1}, {false, 2}}, gotHits); diff != "" {
		t.Errorf("hits (-want +got):\n%s", diff)
	}
}

// TestRegisterOtherValues: values not made by Canary are found too; too
// short a value is refused.
func TestRegisterOtherValues(t *testing.T) {
	token := "gitea-token-4f9d0c2e"
	Register(token)
	if hits := Text("config", []byte("url = https://admin:"+token+"@forge/x.git")); len(hits) != 1 {
		t.Errorf("hits = %v, want the token", hits)
	}
	defer func() {
		if recover() == nil {
			t.Error("Register accepted a 3-character value")
		}
	}()
	Register("abc")
}

// TestTreeSkipsInputs: a file the test planted is left out, the tool's
// output next to it is not.
func TestTreeSkipsInputs(t *testing.T) {
	v := Canary()
	dir := t.TempDir()
	input, output := filepath.Join(dir, "declared", "secret.yaml"), filepath.Join(dir, "report.json")
	write(t, input, "stringData:\n  password: "+v+"\n")
	write(t, output, `{"value":"`+v+`"}`)
	hits, err := Tree(dir, filepath.Dir(input))
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Artifact != output || hits[0].Line != 1 {
		t.Errorf("hits = %v, want one in %s", hits, output)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTreeOfNothingFails: a directory that is not there is an error, not
// a clean result.
func TestTreeOfNothingFails(t *testing.T) {
	if _, err := Tree(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Tree of a missing directory succeeded")
	}
}
