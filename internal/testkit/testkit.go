// Package testkit holds the small pieces every test package needs and
// none should write again: waiting for a condition without asserting on
// time, and a buffer several goroutines write logs into.
package testkit

import (
	"bytes"
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
