package main

import (
	"io"
	"slices"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/audit/report"
)

// reportFormats are the -o values of the commands that write a findings
// report (audit, policy test): text first, the default.
func reportFormats() []string {
	out := []string{"text"}
	for _, f := range report.Formats() {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// writeFindings renders rep in the -o format to --output-file or standard
// output; the text format is coloured as --color says.
func writeFindings(g *globals, o *outputFlags, rep *findings.Report) error {
	format := o.Format
	if format == formatYAML {
		format = formatJSON // o.write turns it into YAML
	}
	var r report.Renderer = report.Text{Color: g.colorFor(destination(g, o))}
	if format != "text" {
		var err error
		if r, err = report.For(format); err != nil {
			return usageError(err)
		}
	}
	return o.write(g.streams.Out, func(w io.Writer) error { return r.Render(w, rep) })
}

// destination is where the output goes: standard output, or io.Discard
// standing for a file (never a terminal).
func destination(g *globals, o *outputFlags) io.Writer {
	if o.File != "" {
		return io.Discard
	}
	return g.streams.Out
}
