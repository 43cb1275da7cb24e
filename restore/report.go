package restore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// Format is how WriteReport renders a Summary.
type Format string

const (
	// FormatTable lists failures, unusual skips and (in a dry run) what
	// would change, then warnings and a table of counts per kind.
	FormatTable Format = "table"
	// FormatWide lists every object, then the same warnings and table.
	FormatWide Format = "wide"
	// FormatJSON writes the Summary as JSON.
	FormatJSON Format = "json"
)

// ParseFormat checks an --output value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case FormatTable, FormatWide, FormatJSON:
		return f, nil
	case "":
		return FormatTable, nil
	default:
		return "", fmt.Errorf("%w: --output: %q is not one of table, wide, json", ErrInvalidConfig, s)
	}
}

// WriteReport renders s to w.
func WriteReport(w io.Writer, s Summary, f Format) error {
	if f == FormatJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	var b strings.Builder
	commit := s.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	fmt.Fprintf(&b, "cluster %q from commit %s", s.Cluster, commit)
	switch s.DryRun {
	case DryRunServer:
		b.WriteString(" (dry run: nothing was changed; this is what a restore would do)")
	case DryRunClient:
		b.WriteString(" (client dry run: the cluster was not contacted; objects in the order a restore applies them)")
	}
	b.WriteString("\n\n")

	var list strings.Builder
	tw := tabwriter.NewWriter(&list, 0, 8, 2, ' ', 0)
	listed := 0
	for _, r := range s.Results {
		if f != FormatWide && !notable(r, s.DryRun != "") {
			continue
		}
		if listed == 0 {
			_, _ = fmt.Fprintln(tw, "ACTION\tOBJECT\tDETAIL") // a tabwriter fails only on Flush
		}
		listed++
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Action, objectLabel(r), detail(r))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if listed > 0 {
		for _, line := range strings.Split(strings.TrimSuffix(list.String(), "\n"), "\n") {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
		}
		b.WriteString("\n")
	}
	if red := s.Redacted(); len(red) > 0 {
		names := make([]string, len(red))
		for i, r := range red {
			names[i] = r.Object.NamespacedName()
		}
		fmt.Fprintf(&b, "warning: %d redacted Secret(s) skipped, their values are not in the backup: %s\n\n",
			len(red), strings.Join(names, ", "))
	}
	if err := writeCounts(&b, s); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// notable reports whether the table format lists r on its own line.
func notable(r Result, dryRun bool) bool {
	switch r.Action {
	case Failed:
		return true
	case Skipped:
		return r.Reason != ReasonExists
	case Created, Updated, Planned:
		return dryRun || r.Reason != ""
	}
	return false
}

func objectLabel(r Result) string {
	if s := r.Object.String(); s != "" {
		return s
	}
	return r.Path
}

func detail(r Result) string {
	if r.Err == nil {
		return r.Reason
	}
	var oe *ObjectError
	if errors.As(r.Err, &oe) {
		if r.Object.Kind == "" { // the object column shows the path already
			return oe.Err.Error()
		}
		return oe.Path + ": " + oe.Err.Error()
	}
	return r.Err.Error()
}

// writeCounts writes the table of actions per kind, with a total row.
func writeCounts(w io.Writer, s Summary) error {
	counts := map[string]map[Action]int{}
	var kinds []string
	for _, r := range s.Results {
		k := r.Object.KindGroup()
		if k == "" {
			k = "(files)"
		}
		if counts[k] == nil {
			counts[k] = map[Action]int{}
			kinds = append(kinds, k)
		}
		counts[k][r.Action]++
	}
	slices.Sort(kinds)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	row := func(cells ...string) {
		_, _ = fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	actions := countedActions(s.DryRun)
	header := []string{"KIND"}
	for _, a := range actions {
		header = append(header, strings.ToUpper(string(a)))
	}
	row(header...)
	total := map[Action]int{}
	for _, k := range kinds {
		cells := []string{k}
		for _, a := range actions {
			cells = append(cells, fmt.Sprint(counts[k][a]))
			total[a] += counts[k][a]
		}
		row(cells...)
	}
	cells := []string{"TOTAL"}
	for _, a := range actions {
		cells = append(cells, fmt.Sprint(total[a]))
	}
	row(cells...)
	return tw.Flush()
}

// countedActions are the columns of the counts table: a client-side dry
// run plans instead of creating, updating or leaving unchanged.
func countedActions(d DryRun) []Action {
	return slices.DeleteFunc(Actions(), func(a Action) bool {
		if d == DryRunClient {
			return a == Created || a == Updated || a == Unchanged
		}
		return a == Planned
	})
}
