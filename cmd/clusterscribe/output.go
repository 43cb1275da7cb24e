package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/internal/atomicfile"
)

// Output formats every command with structured output accepts.
const (
	formatJSON = "json"
	formatYAML = "yaml"
)

// outputFlags are -o/--output (the format, as in kubectl) and --output-file
// (where the output goes instead of standard output). A command adopts them
// with one call to addOutputFlags and writes through write or print.
type outputFlags struct {
	Format string
	File   string
	// cmd is set when --format, the old name of -o, is bound.
	cmd *cobra.Command
	// formats are the accepted formats; the first is the default.
	formats []string
}

// addOutputFlags binds -o/--output and --output-file on cmd. human are the
// command's formats for people, the first being the default; json and yaml
// are always accepted.
func addOutputFlags(cmd *cobra.Command, human ...string) *outputFlags {
	o := &outputFlags{}
	for _, f := range append(slices.Clone(human), formatJSON, formatYAML) {
		if !slices.Contains(o.formats, f) {
			o.formats = append(o.formats, f)
		}
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.Format, "output", "o", o.formats[0], "output format: "+strings.Join(o.formats, ", "))
	fs.StringVar(&o.File, "output-file", "", "write the output to this file (atomically) instead of standard output")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(o.formats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("output-file")
	return o
}

// bindFormatAlias keeps --format, the old name of -o, working with a
// deprecation notice.
func (o *outputFlags) bindFormatAlias(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.Format, "format", o.formats[0], "old name of --output")
	_ = cmd.Flags().MarkHidden("format")
	o.cmd = cmd
}

// validate checks the format and returns it, lower-cased.
func (o *outputFlags) validate() (string, error) {
	if o.cmd != nil && o.cmd.Flags().Changed("format") {
		// Not cobra's deprecation notice: it would go to standard output.
		_, _ = fmt.Fprintln(o.cmd.ErrOrStderr(), "warning: --format is deprecated: use -o/--output (and --output-file for a file)")
	}
	f := strings.ToLower(o.Format)
	if f == "" {
		f = o.formats[0]
	}
	if slices.Contains(o.formats, f) {
		o.Format = f
		return f, nil
	}
	if strings.ContainsAny(o.Format, `/\.`) {
		return "", usageErrorf("--output takes a format (%s), not a file: write to a file with --output-file %s",
			strings.Join(o.formats, ", "), o.Format)
	}
	return "", usageErrorf("--output: %q is not one of %s", o.Format, strings.Join(o.formats, ", "))
}

// structured reports whether the format is json or yaml.
func (o *outputFlags) structured() bool { return o.Format == formatJSON || o.Format == formatYAML }

// print writes v as JSON or YAML, as the format says.
func (o *outputFlags) print(out io.Writer, v any) error {
	return o.write(out, func(w io.Writer) error { return encodeJSON(w, v) })
}

// show writes v as JSON or YAML when the format is one of them, and else
// what human writes in the command's format for people.
func (o *outputFlags) show(out io.Writer, v any, human func(io.Writer) error) error {
	if o.structured() {
		return o.print(out, v)
	}
	return o.write(out, human)
}

// write sends what render writes to --output-file or out. With -o yaml,
// render writes JSON and write turns it into YAML.
func (o *outputFlags) write(out io.Writer, render func(io.Writer) error) error {
	if o.Format == formatYAML {
		render = toYAML(render)
	}
	return o.send(out, render)
}

// send sends what render writes, as it is, to out or, atomically, to
// --output-file: a reader never sees half a report.
func (o *outputFlags) send(out io.Writer, render func(io.Writer) error) error {
	if o.File == "" {
		return render(out)
	}
	if st, err := os.Stat(filepath.Dir(o.File)); err != nil || !st.IsDir() {
		return fmt.Errorf("--output-file %s: directory %s does not exist: create it first", o.File, filepath.Dir(o.File))
	}
	if err := atomicfile.Write(o.File, atomicfile.Options{}, render); err != nil {
		return fmt.Errorf("--output-file: %w", err)
	}
	return nil
}

// toYAML wraps a JSON renderer into a YAML one.
func toYAML(render func(io.Writer) error) func(io.Writer) error {
	return func(w io.Writer) error {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			return err
		}
		y, err := yaml.JSONToYAML(b.Bytes())
		if err != nil {
			return fmt.Errorf("render yaml: %w", err)
		}
		_, err = w.Write(y)
		return err
	}
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
