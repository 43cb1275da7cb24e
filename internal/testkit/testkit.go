// Package testkit holds the small pieces every test package needs and
// none should write again: waiting for a condition without asserting on
// time, a buffer several goroutines write logs into, what a test runs in
// the background meanwhile (a call or a process) and how it ended, and a
// GET against a test's own server.
package testkit

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Patience bounds every wait: generous, because the machines that run the
// tests are small and shared. It only bounds a hang; no test asserts on
// how long something took.
const Patience = 2 * time.Minute

// Eventually polls cond until it holds and fails the test after Patience,
// with what it waited for and the last state cond described.
func Eventually(t testing.TB, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(Patience)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: gave up after %s; last state: %s", what, Patience, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Until is Eventually for a condition with no state to report.
func Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	Eventually(t, what, func() (bool, string) { return cond(), "not yet" })
}

// SyncBuffer collects output written from several goroutines.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Count returns how many JSON log records written so far have this
// message.
func (b *SyncBuffer) Count(msg string) int {
	return strings.Count(b.String(), `"msg":`+strconv.Quote(msg))
}

// Fixture starts something a whole test package shares (a control plane,
// a Gitea server) and returns how to stop it.
type Fixture func() (stop func() error, err error)

// Main runs a test package with its fixtures: it starts each in turn, runs
// the tests, stops them in reverse order and exits. A fixture that does
// not start fails the package with its error (which says what to build);
// nothing is skipped.
func Main(m *testing.M, fixtures ...Fixture) {
	os.Exit(runMain(m, fixtures))
}

func runMain(m *testing.M, fixtures []Fixture) int {
	for _, start := range fixtures {
		stop, err := start()
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
			return 1
		}
		defer func() {
			if err := stop(); err != nil {
				fmt.Fprintf(os.Stderr, "warning: %v\n", err)
			}
		}()
	}
	return m.Run()
}
