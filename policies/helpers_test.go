package policies

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/google/go-cmp/cmp"
)

// row is a finding reduced to what the tests compare.
type row struct {
	Policy  string
	Object  string
	Outcome findings.Outcome
	Message string
}

func rows(fs []findings.Finding) []row {
	out := make([]row, 0, len(fs))
	for _, f := range fs {
		out = append(out, row{Policy: f.Policy.ID, Object: f.Object.String(), Outcome: f.Policy.Outcome, Message: f.Message})
	}
	slices.SortFunc(out, func(a, b row) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
	return out
}

// checkRows fails the test when the findings, as rows, are not want.
func checkRows(t *testing.T, want []row, fs []findings.Finding) {
	t.Helper()
	if diff := cmp.Diff(want, rows(fs)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// stat is a PolicyStat reduced to its counts.
type stat struct {
	Evaluated, Failed int
}

func statsByID(stats []findings.PolicyStat) map[string]stat {
	out := map[string]stat{}
	for _, s := range stats {
		out[s.ID] = stat{s.Evaluated, s.Failed}
	}
	return out
}

// objects decodes YAML documents into objects.
func objects(t testing.TB, docs ...string) []*unstructured.Unstructured {
	t.Helper()
	out := make([]*unstructured.Unstructured, 0, len(docs))
	for _, d := range docs {
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(d), &m); err != nil {
			t.Fatalf("%v in %s", err, d)
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out
}

// readManifests reads testdata manifests, failing on any problem.
func readManifests(t testing.TB, paths ...string) []Manifest {
	t.Helper()
	ms, problems, err := ReadManifests(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("problems reading %v: %v", paths, problems)
	}
	return ms
}

// mustLoad loads an engine with opts, failing the test on an error.
func mustLoad(t *testing.T, opts Options) *Engine {
	t.Helper()
	e, err := Load(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// loadRego loads only the given policy files (no bundled policies), with
// opts for the rest.
func loadRego(t *testing.T, opts Options, files map[string]string) *Engine {
	t.Helper()
	opts.Dirs = []string{testkit.WriteFiles(t, t.TempDir(), files)}
	opts.NoBundled = true
	return mustLoad(t, opts)
}

// mustEvaluate evaluates objs with e, failing the test on an error.
func mustEvaluate(t *testing.T, e *Engine, objs []*unstructured.Unstructured, live bool) ([]findings.Finding, []findings.PolicyStat, []findings.Problem) {
	t.Helper()
	fs, stats, problems, err := e.Evaluate(t.Context(), objs, live)
	if err != nil {
		t.Fatal(err)
	}
	return fs, stats, problems
}

// mustEvaluateManifests evaluates ms with e, failing the test on an error.
func mustEvaluateManifests(t *testing.T, e *Engine, ms []Manifest) ([]findings.Finding, []findings.PolicyStat, []findings.Problem) {
	t.Helper()
	fs, stats, problems, err := e.EvaluateManifests(t.Context(), ms)
	if err != nil {
		t.Fatal(err)
	}
	return fs, stats, problems
}
