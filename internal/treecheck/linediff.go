package treecheck

import (
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// contextLines is how many unchanged lines lineDiff keeps around a change.
const contextLines = 2

// lineDiff returns a line diff of want (-) and got (+) with a little
// context, "" when they are equal.
func lineDiff(want, got string) string {
	if want == got {
		return ""
	}
	dmp := diffmatchpatch.New()
	ta, tb, lines := dmp.DiffLinesToChars(want, got)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ta, tb, false), lines)
	type line struct {
		sign byte
		text string
	}
	var all []line
	for _, d := range diffs {
		sign := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			sign = '-'
		case diffmatchpatch.DiffInsert:
			sign = '+'
		}
		for _, l := range strings.SplitAfter(d.Text, "\n") {
			if l != "" {
				all = append(all, line{sign, strings.TrimSuffix(l, "\n")})
			}
		}
	}
	keep := make([]bool, len(all))
	for i, l := range all {
		if l.sign == ' ' {
			continue
		}
		for j := max(0, i-contextLines); j <= min(len(all)-1, i+contextLines); j++ {
			keep[j] = true
		}
	}
	var b strings.Builder
	skipped := 0
	for i, l := range all {
		if !keep[i] {
			skipped++
			continue
		}
		if skipped > 0 {
			fmt.Fprintf(&b, "  … %d unchanged lines\n", skipped)
			skipped = 0
		}
		fmt.Fprintf(&b, "%c %s\n", l.sign, l.text)
	}
	if skipped > 0 {
		fmt.Fprintf(&b, "  … %d unchanged lines\n", skipped)
	}
	return b.String()
}
