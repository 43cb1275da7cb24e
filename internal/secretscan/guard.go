package secretscan

import (
	"fmt"
	"path/filepath"
	"sync"
)

// TB is the part of testing.TB a Scope needs.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Cleanup(func())
	TempDir() string
}

// Scope is what one test leaves behind, scanned when the test ends.
type Scope struct {
	t      TB
	mu     sync.Mutex
	root   string
	dirs   []string
	inputs []string
	logs   []capturedLog
}

type capturedLog struct {
	name string
	text func() string
}

// scopes holds the Scope of each test being guarded.
var scopes sync.Map // TB → *Scope

// Guard scans, when t ends and before its temporary directories are
// removed, every file below them (Git repositories through git, whole
// history), every log given to Log and every directory given to Dir, and
// fails t once per hit. Cleanups run last-registered first, so what the
// test registers after the first Guard (stopping a recorder, a server) has
// run by then. Calling it again for the same test returns the same Scope,
// so that each helper a test uses can add what it knows of. A subtest has
// temporary directories of its own and needs its own Guard.
func Guard(t TB) *Scope {
	t.Helper()
	if s, ok := scopes.Load(t); ok {
		return s.(*Scope)
	}
	// Each TempDir is a numbered directory in one directory per test; the
	// first call also registers their removal, before the scan below, so
	// that the removal runs after it.
	s := &Scope{t: t, root: filepath.Dir(t.TempDir())}
	scopes.Store(t, s)
	t.Cleanup(func() {
		defer scopes.Delete(t)
		s.check()
	})
	return s
}

// Input leaves paths the test planted itself (a declared repo holding a
// Secret, a token file) out of the scan: only what the tool wrote is
// searched.
func (s *Scope) Input(paths ...string) *Scope {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inputs = append(s.inputs, paths...)
	return s
}

// Dir adds directories outside the test's temporary directories, e.g. a
// forge's repository on disk.
func (s *Scope) Dir(paths ...string) *Scope {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dirs = append(s.dirs, paths...)
	return s
}

// Log adds a captured log, read when the test ends.
func (s *Scope) Log(name string, text func() string) *Scope {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logs = append(s.logs, capturedLog{name: name, text: text})
	return s
}

func (s *Scope) check() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, dir := range append([]string{s.root}, s.dirs...) {
		hits, err := Tree(dir, s.inputs...)
		if err != nil {
			s.t.Errorf("secret scan: %v", err)
		}
		report(s.t, hits)
	}
	for _, l := range s.logs {
		report(s.t, Text(l.name, []byte(l.text())))
	}
}

// Check fails t for every secret value in text now.
func Check(t TB, artifact, text string) {
	t.Helper()
	report(t, Text(artifact, []byte(text)))
}

// CheckTree fails t for every secret value below dir now (see Tree).
func CheckTree(t TB, dir string, skip ...string) {
	t.Helper()
	hits, err := Tree(dir, skip...)
	if err != nil {
		t.Errorf("secret scan: %v", err)
	}
	report(t, hits)
}

func report(t TB, hits []Hit) {
	t.Helper()
	for _, h := range hits {
		t.Errorf("secret value leaked: %s", h)
	}
}

// Error is the hits as one error, for programs that are not tests; nil
// without hits.
func Error(hits []Hit) error {
	if len(hits) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d secret value(s) leaked:", len(hits))
	for _, h := range hits {
		msg += "\n  " + h.String()
	}
	return fmt.Errorf("%s", msg)
}
