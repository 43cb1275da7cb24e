package suite

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Formats Write knows.
var Formats = []string{"text", "json", "yaml"}

// Write renders results: text is gator verify's output (every failure,
// and with verbose every test and case run); json and yaml are the
// results with a status at every level.
func Write(w io.Writer, format string, rs []Result, verbose bool) error {
	fillStatus(rs)
	switch format {
	case "text":
		return writeText(w, rs, verbose)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"suites": rs})
	case "yaml":
		data, err := yaml.Marshal(map[string]any{"suites": rs})
		if err != nil {
			return fmt.Errorf("write results: %w", err)
		}
		_, err = w.Write(data)
		return err
	}
	return fmt.Errorf("write results: format %q is not one of %s", format, strings.Join(Formats, ", "))
}

// ValidFormat reports whether Write knows format.
func ValidFormat(format string) bool { return slices.Contains(Formats, format) }

func writeText(w io.Writer, rs []Result, verbose bool) error {
	var b strings.Builder
	for _, s := range rs {
		for _, t := range s.Tests {
			textTest(&b, t, verbose)
		}
		if s.Failed() {
			fmt.Fprintf(&b, "FAIL\t%s\t%v\n", s.Path, s.Runtime)
			if s.Error != "" {
				fmt.Fprintf(&b, "  %s\n", s.Error)
			}
		} else {
			fmt.Fprintf(&b, "ok\t%s\t%v\n", s.Path, s.Runtime)
		}
	}
	if Failed(rs) {
		b.WriteString("FAIL\n")
	} else {
		b.WriteString("PASS\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func textTest(b *strings.Builder, t TestResult, verbose bool) {
	if verbose {
		if t.Skipped {
			fmt.Fprintf(b, "=== SKIP  %s\n", t.Name)
			return
		}
		fmt.Fprintf(b, "=== RUN   %s\n", t.Name)
	}
	for _, c := range t.Cases {
		switch {
		case verbose && c.Skipped:
			fmt.Fprintf(b, "    === SKIP  %s\n", c.Name)
			continue
		case verbose:
			fmt.Fprintf(b, "    === RUN   %s\n", c.Name)
		}
		if c.Failed() {
			fmt.Fprintf(b, "    --- FAIL: %s\t(%v)\n        %s\n", c.Name, c.Runtime, c.Error)
		} else if verbose && !c.Skipped {
			fmt.Fprintf(b, "    --- PASS: %s\t(%v)\n", c.Name, c.Runtime)
		}
	}
	switch {
	case t.Failed():
		fmt.Fprintf(b, "--- FAIL: %s\t(%v)\n", t.Name, t.Runtime)
		if t.Error != "" {
			fmt.Fprintf(b, "  %s\n", t.Error)
		}
	case verbose:
		fmt.Fprintf(b, "--- PASS: %s\t(%v)\n", t.Name, t.Runtime)
	}
}
