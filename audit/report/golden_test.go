package report

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/golden"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
)

// goldenExt is the file extension of each format's golden file.
var goldenExt = map[string]string{
	"text":         "txt",
	"json":         "json",
	"markdown":     "md",
	"html":         "html",
	"sarif":        "sarif.json",
	"junit":        "xml",
	"policyreport": "yaml",
}

func render(t *testing.T, rd Renderer, r *findings.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := rd.Render(&b, r); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return b.String()
}

func renderFormat(t *testing.T, format string, r *findings.Report) string {
	t.Helper()
	rd, err := For(format)
	if err != nil {
		t.Fatalf("For(%q): %v", format, err)
	}
	return render(t, rd, r)
}

func TestGolden(t *testing.T) {
	fixtures := []struct {
		name   string
		report func() *findings.Report
	}{
		{"report", fixtureReport},
		{"clean", cleanReport},
	}
	for _, fx := range fixtures {
		for _, format := range Formats() {
			t.Run(fx.name+"/"+format, func(t *testing.T) {
				got := renderFormat(t, format, fx.report())
				if format == "html" {
					got = withoutStyle(t, got)
				}
				golden.CheckString(t, filepath.Join("testdata", fx.name+"."+goldenExt[format]), got)
			})
		}
	}
	t.Run("report/text-color", func(t *testing.T) {
		golden.CheckString(t, filepath.Join("testdata", "report.color.txt"), render(t, Text{Color: true}, fixtureReport()))
	})
}

// styleMark stands in the HTML goldens for the style sheet.
const styleMark = "/* report.css, inlined byte for byte */\n"

// withoutStyle checks that page inlines report.css whole, once, and
// replaces it with styleMark: the golden files hold the page, and
// report.css itself stays the one copy of the style sheet.
func withoutStyle(t *testing.T, page string) string {
	t.Helper()
	if n := strings.Count(page, htmlStyle); n != 1 {
		t.Fatalf("the page inlines report.css %d times, want once", n)
	}
	return strings.Replace(page, htmlStyle, styleMark, 1)
}

func TestGoldenCoversEveryFormat(t *testing.T) {
	for _, f := range Formats() {
		if goldenExt[f] == "" {
			t.Errorf("format %q has no golden file extension", f)
		}
	}
}

// TestDeterministic renders shuffled copies of the fixture: the output must
// not depend on the order findings arrive in, and the caller's report must
// be left as it was.
func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			want := renderFormat(t, format, fixtureReport())
			for i := range 5 {
				r := fixtureReport()
				rng.Shuffle(len(r.Findings), func(a, b int) { r.Findings[a], r.Findings[b] = r.Findings[b], r.Findings[a] })
				rng.Shuffle(len(r.Problems), func(a, b int) { r.Problems[a], r.Problems[b] = r.Problems[b], r.Problems[a] })
				rng.Shuffle(len(r.Policies), func(a, b int) { r.Policies[a], r.Policies[b] = r.Policies[b], r.Policies[a] })
				before := snapshot(t, r)
				got := renderFormat(t, format, r)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("shuffle %d: output differs (-want +got):\n%s", i, diff)
				}
				if diff := cmp.Diff(before, snapshot(t, r)); diff != "" {
					t.Fatalf("shuffle %d: Render modified its input (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

func snapshot(t *testing.T, r *findings.Report) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestNoSecretValues renders the fixture, whose Secret diff carries values,
// in every format: none may show them.
func TestNoSecretValues(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			out := renderFormat(t, format, fixtureReport())
			secretscan.Check(t, format+" output", out)
			if format == "policyreport" {
				return // policy results only: the Secret's drift is not in it
			}
			if !strings.Contains(out, "db-credentials") {
				t.Errorf("output does not mention the drifted Secret db-credentials")
			}
		})
	}
}

func TestFor(t *testing.T) {
	want := []string{"html", "json", "junit", "markdown", "policyreport", "sarif", "text"}
	if diff := cmp.Diff(want, Formats()); diff != "" {
		t.Errorf("Formats() (-want +got):\n%s", diff)
	}
	tests := []struct {
		format  string
		wantErr bool
	}{
		{"html", false},
		{"HTML", false},
		{"Sarif", false},
		{"pdf", true},
		{"", true},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			r, err := For(tt.format)
			if (err != nil) != tt.wantErr {
				t.Fatalf("For(%q) error = %v, want error %v", tt.format, err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "policyreport") {
					t.Errorf("error %q does not list the formats", err)
				}
				return
			}
			if r == nil {
				t.Fatal("nil renderer")
			}
		})
	}
}
