package audit_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/audit/ignore"
	"github.com/clusterscribe/clusterscribe/internal/golden"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
)

// caseOptions is a golden case's options.yaml.
type caseOptions struct {
	Strict            bool          `json:"strict"`
	IgnoreDifferences []ignore.Rule `json:"ignoreDifferences"`
}

// goldenResult is what a golden case's want.json holds.
type goldenResult struct {
	Findings []findings.Finding `json:"findings"`
	Problems []findings.Problem `json:"problems,omitempty"`
}

// TestCompareGolden runs Compare on each pair under testdata/compare:
// declared/ (read like a declared repo), live.yaml (objects as the API
// server returns them, managedFields included) and options.yaml, and
// compares the result with want.json.
func TestCompareGolden(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("testdata", "compare", "*"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			decl := loadDeclared(t, filepath.Join(dir, "declared"))
			live := loadLive(t, filepath.Join(dir, "live.yaml"))
			var opts caseOptions
			if data, err := os.ReadFile(filepath.Join(dir, "options.yaml")); err == nil {
				if err := yaml.UnmarshalStrict(data, &opts); err != nil {
					t.Fatal(err)
				}
			}
			got, problems, err := audit.Compare(t.Context(), decl, live, audit.CompareOptions{
				Strict: opts.Strict, Ignore: opts.IgnoreDifferences,
			})
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				got = []findings.Finding{}
			}
			gotJSON, err := json.MarshalIndent(goldenResult{Findings: got, Problems: problems}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			gotJSON = append(gotJSON, '\n')
			golden.Check(t, filepath.Join(dir, "want.json"), gotJSON)
		})
	}
}

func loadDeclared(t testing.TB, dir string) []audit.Object {
	t.Helper()
	set, err := declared.Load(t.Context(), declared.Options{Source: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) > 0 {
		t.Fatalf("declared fixture has problems: %+v", set.Problems)
	}
	return set.Objects
}

func loadLive(t testing.TB, file string) []*unstructured.Unstructured {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "live.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	objs := loadDeclared(t, dir)
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.Object)
	}
	return out
}

// TestCompareNeverShowsSecretValues checks the Secret case's findings for
// every form of its values: plaintext and base64, declared and live.
func TestCompareNeverShowsSecretValues(t *testing.T) {
	dir := filepath.Join("testdata", "compare", "secret-redacted")
	got, _, err := audit.Compare(t.Context(), loadDeclared(t, filepath.Join(dir, "declared")), loadLive(t, filepath.Join(dir, "live.yaml")), audit.CompareOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Diff == "" {
		t.Fatalf("want one Modified finding with a diff, got %+v", got)
	}
	out, _ := json.Marshal(got)
	secretscan.Register("declared-Passw0rd", "live-Passw0rd")
	secretscan.Check(t, "findings", string(out))
	for _, secret := range []string{"declared-Passw0rd", "ZGVjbGFyZWQtUGFzc3cwcmQ", "live-Passw0rd", "bGl2ZS1QYXNzdzByZA", "YXBw"} {
		if strings.Contains(string(out), secret) {
			t.Errorf("findings hold %q:\n%s", secret, out)
		}
	}
}
