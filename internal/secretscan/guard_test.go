package secretscan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeT records what a Scope reports; its cleanups run when finish is
// called, last registered first, as the testing package runs them.
type fakeT struct {
	dir      string
	n        int
	errors   []string
	cleanups []func()
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

func (f *fakeT) TempDir() string {
	f.n++
	d := filepath.Join(f.dir, fmt.Sprintf("%03d", f.n))
	if err := os.MkdirAll(d, 0o755); err != nil {
		panic(err)
	}
	return d
}

func (f *fakeT) finish() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

// TestGuardFailsTheTest: a value left in a file, in a repository's history
// or in a captured log fails the test, naming the artifact; inputs the
// test planted are not searched; the cleanups registered after Guard (a
// recorder stopping) run before the scan.
func TestGuardFailsTheTest(t *testing.T) {
	v := Canary()
	ft := &fakeT{dir: t.TempDir()}
	s := Guard(ft)
	work := ft.TempDir()
	input := filepath.Join(work, "declared.yaml")
	write(t, input, "password: "+v)
	s.Input(input)
	repo := filepath.Join(work, "backup")
	if err := os.Mkdir(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, repo, "init", "-q", "-b", "main")
	var log strings.Builder
	s.Log("record log", log.String)
	ft.Cleanup(func() {
		// Runs before the scan: what it writes is searched.
		write(t, filepath.Join(repo, "late.yaml"), "token: "+v)
		git(t, repo, "add", ".")
		git(t, repo, "commit", "-q", "-m", "late")
		git(t, repo, "rm", "-q", "late.yaml")
		git(t, repo, "commit", "-q", "-m", "gone")
		log.WriteString("msg=done value=" + v + "\n")
	})
	ft.finish()

	joined := strings.Join(ft.errors, "\n")
	if len(ft.errors) != 2 {
		t.Fatalf("errors:\n%s\nwant 2: the repository and the log", joined)
	}
	for _, want := range []string{filepath.Join(repo, ".git") + " holds", "path late.yaml", "record log holds"} {
		if !strings.Contains(joined, want) {
			t.Errorf("errors lack %q:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "declared.yaml") {
		t.Errorf("the planted input was searched:\n%s", joined)
	}
}

// TestGuardPassesCleanArtifacts: nothing found, nothing reported.
func TestGuardPassesCleanArtifacts(t *testing.T) {
	Canary()
	ft := &fakeT{dir: t.TempDir()}
	s := Guard(ft)
	write(t, filepath.Join(ft.TempDir(), "report.json"), `{"password":"<redacted>"}`)
	s.Log("log", func() string { return "msg=committed files=3" })
	ft.finish()
	if len(ft.errors) != 0 {
		t.Errorf("errors: %v", ft.errors)
	}
}

// TestGuardOncePerTest: a second Guard of the same test adds to the first
// and scans once.
func TestGuardOncePerTest(t *testing.T) {
	v := Canary()
	ft := &fakeT{dir: t.TempDir()}
	if a, b := Guard(ft), Guard(ft); a != b {
		t.Fatal("two Guards of one test differ")
	}
	write(t, filepath.Join(ft.TempDir(), "out.txt"), v)
	ft.finish()
	if len(ft.errors) != 1 || len(ft.cleanups) != 1 {
		t.Errorf("errors %v, %d cleanups; want one error and one scan", ft.errors, len(ft.cleanups))
	}
}
