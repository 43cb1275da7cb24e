package suite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/golden"
)

// outcomes lists "suite test/case status" for every test and case run.
func outcomes(rs []Result) []string {
	fillStatus(rs)
	var out []string
	for _, s := range rs {
		for _, t := range s.Tests {
			out = append(out, fmt.Sprintf("%s %s %s", s.Path, t.Name, t.Status))
			for _, c := range t.Cases {
				out = append(out, fmt.Sprintf("%s %s/%s %s", s.Path, t.Name, c.Name, c.Status))
			}
		}
	}
	return out
}

// TestLibrary runs the Suites of testdata/library, laid out as the
// Gatekeeper library lays out its own (template.yaml, samples/<constraint>/,
// suite.yaml): every case of every kind passes.
func TestLibrary(t *testing.T) {
	files, err := Find([]string{"testdata/library"})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Run(t.Context(), files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, "text", rs, true); err != nil {
		t.Fatal(err)
	}
	if Failed(rs) {
		t.Fatalf("suites failed:\n%s", buf.String())
	}
	got := outcomes(rs)
	golden.Check(t, "testdata/golden/library.txt", []byte(strings.Join(got, "\n")+"\n"))
	for _, o := range got {
		if regexp.MustCompile(` skip$`).MatchString(o) {
			t.Errorf("skipped: %s", o)
		}
	}
}

// TestFailing runs a Suite whose assertions do not hold, whose cases and
// template are broken, and compares gator's text output.
func TestFailing(t *testing.T) {
	rs, err := Run(t.Context(), []string{"testdata/failing/suite.yaml"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !Failed(rs) {
		t.Fatal("the failing suite passed")
	}
	var buf bytes.Buffer
	if err := Write(&buf, "text", rs, true); err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`\d+\.\d{3}s`).ReplaceAll(buf.Bytes(), []byte("0.000s"))
	golden.Check(t, "testdata/golden/failing.txt", text)

	buf.Reset()
	if err := Write(&buf, "json", rs, false); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Status string
			Tests  []struct {
				Name, Status string
				Cases        []struct{ Name, Status string }
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Suites[0].Status != StatusFail || doc.Suites[0].Tests[0].Cases[7].Status != StatusSkip {
		t.Errorf("json statuses: %+v", doc)
	}
}

// TestReadErrors: a Suite with an unknown field or an assertion of a bad
// form is refused, naming the file.
func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	for name, tt := range map[string]struct{ text, want string }{
		"unknown field": {"kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\ntests:\n- name: a\n  tempalte: t.yaml\n", `unknown field "tempalte"`},
		"bad count":     {"kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\ntests:\n- name: a\n  cases:\n  - name: c\n    assertions:\n    - violations: maybe\n", `violations: "maybe" is not a nonnegative integer`},
		"bad regex":     {"kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\ntests:\n- name: a\n  cases:\n  - name: c\n    assertions:\n    - message: \"(\"\n", "message: error parsing regexp"},
		"not a suite":   {"kind: Pod\napiVersion: v1\n", "is not a Suite"},
	} {
		t.Run(name, func(t *testing.T) {
			path := dir + "/" + regexp.MustCompile(`\W`).ReplaceAllString(name, "_") + ".yaml"
			if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Read(path)
			if err == nil || !regexp.MustCompile(regexp.QuoteMeta(path)+`.*`+regexp.QuoteMeta(tt.want)).MatchString(err.Error()) {
				t.Fatalf("error = %v, want %s ... %s", err, path, tt.want)
			}
		})
	}
	empty := t.TempDir()
	if _, err := Find([]string{empty}); err == nil {
		t.Error("Find in a directory without a Suite: no error")
	}
}
