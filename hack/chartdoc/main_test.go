package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const chartPath = "../../deploy/helm/clusterscribe"

// TestChartREADMEUpToDate: the checked-in README.md is what values.yaml
// generates.
func TestChartREADMEUpToDate(t *testing.T) {
	if err := run(chartPath, true); err != nil {
		t.Fatal(err)
	}
}

func TestValues(t *testing.T) {
	got, err := Values([]byte(`# Section comment.

# -- Replicas.
replicas: 2
image:
  # -- Image tag,
  # any tag.
  tag: "v1|2"
# -- Everything else.
config:
  undocumented: below a documented parent
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Value{
		{Key: "replicas", Type: "int", Default: "2", Description: "Replicas."},
		{Key: "image.tag", Type: "string", Default: `"v1|2"`, Description: "Image tag, any tag."},
		{Key: "config", Type: "object", Default: `{"undocumented":"below a documented parent"}`, Description: "Everything else."},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := cell(`"v1|2"`); got != `"v1\|2"` {
		t.Errorf("cell: %s", got)
	}

	_, err = Values([]byte("# -- Documented.\na: 1\nb:\n  c: 2\n"))
	if err == nil || !strings.Contains(err.Error(), `line 4: b.c has no "# --" comment`) {
		t.Errorf("an undocumented value: %v, want an error naming its line and key", err)
	}
}

// TestCheckFailsWhenStale: -check names the command that brings the
// README up to date.
func TestCheckFailsWhenStale(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"Chart.yaml", "values.yaml", "README.md.gotmpl"} {
		data, err := os.ReadFile(filepath.Join(chartPath, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(dir, true); err == nil || !strings.Contains(err.Error(), "go run ./hack/chartdoc") {
		t.Errorf("stale README: %v", err)
	}
	if err := run(dir, false); err != nil {
		t.Fatal(err)
	}
	if err := run(dir, true); err != nil {
		t.Errorf("after writing: %v", err)
	}
}
