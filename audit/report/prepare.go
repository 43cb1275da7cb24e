package report

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// checkReport rejects what no renderer can show faithfully.
func checkReport(r *findings.Report) error {
	if r == nil {
		return errors.New("no report")
	}
	for i, f := range r.Findings {
		if f.Type == findings.Policy && f.Policy == nil {
			return fmt.Errorf("finding %d (%s): policy finding without a policy result", i, f.Object)
		}
	}
	return nil
}

// prepare returns the copy of r that every renderer works from: sorted with
// findings.Report.Sort, ties broken by every remaining field so that the
// output never depends on the order the caller collected findings in, and
// with Secret diffs redacted. The caller's report is left untouched.
func prepare(r *findings.Report) *findings.Report {
	out := *r
	out.Findings = make([]findings.Finding, len(r.Findings))
	for i, f := range r.Findings {
		f.Diff = safeDiff(f)
		out.Findings[i] = f
	}
	out.Problems = slices.Clone(r.Problems)
	out.Policies = slices.Clone(r.Policies)
	if r.Summary != nil {
		sum := *r.Summary
		sum.Kinds, sum.Namespaces = slices.Clone(sum.Kinds), slices.Clone(sum.Namespaces)
		sum.InSyncObjects, sum.SkippedObjects = slices.Clone(sum.InSyncObjects), slices.Clone(sum.SkippedObjects)
		out.Summary = &sum
	}
	// Sort is stable: a total order first makes its ties deterministic.
	slices.SortFunc(out.Findings, compareFindings)
	slices.SortFunc(out.Problems, func(a, b findings.Problem) int {
		return cmp.Or(strings.Compare(a.Source.File, b.Source.File),
			cmp.Compare(a.Source.Line, b.Source.Line),
			strings.Compare(a.Message, b.Message))
	})
	slices.SortFunc(out.Policies, func(a, b findings.PolicyStat) int {
		return cmp.Or(strings.Compare(a.ID, b.ID), strings.Compare(a.Title, b.Title),
			cmp.Compare(a.Evaluated, b.Evaluated), cmp.Compare(a.Failed, b.Failed))
	})
	out.Sort()
	return &out
}

// compareFindings is a total order over the fields renderers show.
func compareFindings(a, b findings.Finding) int {
	return cmp.Or(
		strings.Compare(string(a.Type), string(b.Type)),
		a.Object.Compare(b.Object),
		compareOptional(a.Policy, b.Policy, comparePolicy),
		compareBool(a.Live, b.Live),
		compareOptional(a.Source, b.Source, compareSource),
		strings.Compare(a.Message, b.Message),
		strings.Compare(strings.Join(a.Paths, "\n"), strings.Join(b.Paths, "\n")),
		strings.Compare(a.Diff, b.Diff),
	)
}

// compareOptional orders nil first, then what compare orders.
func compareOptional[T any](a, b *T, compare func(a, b *T) int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return compare(a, b)
}

func comparePolicy(a, b *findings.PolicyResult) int {
	return cmp.Or(
		cmp.Compare(a.Severity.Rank(), b.Severity.Rank()),
		strings.Compare(a.ID, b.ID),
		strings.Compare(a.Rule, b.Rule),
		strings.Compare(string(a.Outcome), string(b.Outcome)),
	)
}

func compareSource(a, b *findings.Source) int {
	return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	default:
		return -1
	}
}
