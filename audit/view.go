package audit

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/clusterscribe/clusterscribe/internal/jsonvalue"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// Markers that replace Secret values in diffs: reports never hold them.
const (
	redacted        = "<redacted>"
	redactedChanged = "<redacted: differs from the declaration>"
)

// renderDiff renders the unified diff of a Modified finding, declared ->
// live. The live side is the declaration with the drift applied, so that
// the diff shows the drift and nothing the server merely defaulted or
// rewrote in canonical form.
func renderDiff(d Object, dn map[string]any, drift objectDrift) (string, error) {
	declView := deepCopy(dn).(map[string]any)
	v := deepCopy(dn)
	var removals []delta
	for _, dl := range drift.deltas {
		if dl.kind == removed {
			removals = append(removals, dl)
			continue
		}
		v, _ = setAt(v, dl.path, deepCopy(dl.live))
	}
	// Last first: removing list items by position keeps earlier positions
	// valid.
	for _, dl := range slices.Backward(removals) {
		v = removeAt(v, dl.path)
	}
	liveView, _ := v.(map[string]any)
	if serializer.IsSecret(d.Object.GroupVersionKind().GroupKind()) {
		redactSecretData(declView, liveView)
	}
	a, err := serializer.Marshal(declView)
	if err != nil {
		return "", fmt.Errorf("diff %s: %w", refOf(d.Object), err)
	}
	b, err := serializer.Marshal(liveView)
	if err != nil {
		return "", fmt.Errorf("diff %s: %w", refOf(d.Object), err)
	}
	return unifiedDiff("declared "+d.Source.String(), "live "+refOf(d.Object).String(), string(a), string(b)), nil
}

// redactSecretData replaces every value of a Secret's data on both sides
// with a marker; a live value that differs from the declared one gets a
// marker of its own so that the diff still shows which key changed.
func redactSecretData(decl, live map[string]any) {
	dd, _ := decl["data"].(map[string]any)
	ld, _ := live["data"].(map[string]any)
	for k, v := range ld {
		if dv, ok := dd[k]; ok && !reflect.DeepEqual(dv, v) {
			ld[k] = redactedChanged
		} else {
			ld[k] = redacted
		}
	}
	for k := range dd {
		dd[k] = redacted
	}
}

// contextLines is the context of each hunk, as in diff -u.
const contextLines = 3

type diffLine struct {
	op   diffmatchpatch.Operation
	text string
}

// unifiedDiff renders a unified diff of two texts (lines ending in "\n").
func unifiedDiff(fromName, toName, a, b string) string {
	if a == b {
		return ""
	}
	dmp := diffmatchpatch.New()
	ra, rb, lines := dmp.DiffLinesToRunes(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), lines)
	var all []diffLine
	for _, d := range diffs {
		for _, l := range strings.SplitAfter(d.Text, "\n") {
			if l != "" {
				all = append(all, diffLine{op: d.Type, text: strings.TrimSuffix(l, "\n")})
			}
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", fromName, toName)
	for start := 0; start < len(all); {
		first := start
		for first < len(all) && all[first].op == diffmatchpatch.DiffEqual {
			first++
		}
		if first == len(all) {
			break
		}
		// Extend the hunk while changes are close enough to share context.
		lo := max(first-contextLines, start)
		hi := first
		for i := first; i < len(all); i++ {
			if all[i].op != diffmatchpatch.DiffEqual {
				hi = i
			} else if i-hi > 2*contextLines {
				break
			}
		}
		end := min(hi+contextLines+1, len(all))
		writeHunk(&out, all, lo, end)
		start = end
	}
	return out.String()
}

// writeHunk writes lines [lo, hi) with their @@ header.
func writeHunk(out *strings.Builder, all []diffLine, lo, hi int) {
	aStart, bStart := 1, 1
	for _, l := range all[:lo] {
		if l.op != diffmatchpatch.DiffInsert {
			aStart++
		}
		if l.op != diffmatchpatch.DiffDelete {
			bStart++
		}
	}
	aLen, bLen := 0, 0
	for _, l := range all[lo:hi] {
		if l.op != diffmatchpatch.DiffInsert {
			aLen++
		}
		if l.op != diffmatchpatch.DiffDelete {
			bLen++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
	for _, l := range all[lo:hi] {
		prefix := " "
		switch l.op {
		case diffmatchpatch.DiffDelete:
			prefix = "-"
		case diffmatchpatch.DiffInsert:
			prefix = "+"
		}
		out.WriteString(prefix + l.text + "\n")
	}
}

// hunkRange renders "start,len" the way diff -u does (an empty range
// starts at the line before).
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start-1)
	}
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// deepCopy copies a JSON-like value; numbers come out canonical
// (jsonvalue), which no view or comparison tells apart.
func deepCopy(v any) any { return jsonvalue.Canonical(v) }
