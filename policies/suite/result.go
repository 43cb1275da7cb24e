package suite

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Duration is a run time, shown as gator shows it ("0.012s").
type Duration time.Duration

func (d Duration) String() string { return fmt.Sprintf("%.3fs", time.Duration(d).Seconds()) }

// MarshalJSON writes the duration as its string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// Statuses of a suite, test or case.
const (
	StatusPass = "pass"
	StatusFail = "fail"
	StatusSkip = "skip"
)

// Result is how one Suite file fared.
type Result struct {
	Path    string       `json:"path"`
	Status  string       `json:"status"`
	Skipped bool         `json:"-"`
	Error   string       `json:"error,omitempty"`
	Runtime Duration     `json:"runtime"`
	Tests   []TestResult `json:"tests,omitempty"`
}

// TestResult is how one test fared.
type TestResult struct {
	Name    string       `json:"name"`
	Status  string       `json:"status"`
	Skipped bool         `json:"-"`
	Error   string       `json:"error,omitempty"`
	Runtime Duration     `json:"runtime"`
	Cases   []CaseResult `json:"cases,omitempty"`
}

// CaseResult is how one case fared: Error says which assertion failed.
type CaseResult struct {
	Name    string   `json:"name"`
	Status  string   `json:"status"`
	Skipped bool     `json:"-"`
	Error   string   `json:"error,omitempty"`
	Runtime Duration `json:"runtime"`
}

// Failed reports whether the case failed.
func (r CaseResult) Failed() bool { return r.Error != "" }

// Failed reports whether the test or one of its cases failed.
func (r TestResult) Failed() bool {
	return r.Error != "" || slices.ContainsFunc(r.Cases, CaseResult.Failed)
}

// Failed reports whether the suite could not be read or a test failed.
func (r Result) Failed() bool {
	return r.Error != "" || slices.ContainsFunc(r.Tests, TestResult.Failed)
}

// Failed reports whether any suite failed.
func Failed(rs []Result) bool { return slices.ContainsFunc(rs, Result.Failed) }

func status(skipped, failed bool) string {
	switch {
	case skipped:
		return StatusSkip
	case failed:
		return StatusFail
	}
	return StatusPass
}

// fillStatus sets the Status fields from the results.
func fillStatus(rs []Result) {
	for i := range rs {
		s := &rs[i]
		s.Status = status(s.Skipped, s.Failed())
		for j := range s.Tests {
			t := &s.Tests[j]
			t.Status = status(t.Skipped, t.Failed())
			for k := range t.Cases {
				c := &t.Cases[k]
				c.Status = status(c.Skipped, c.Failed())
			}
		}
	}
}
