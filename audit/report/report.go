// Package report renders a findings.Report in the formats users and tools
// read: text, JSON, Markdown, self-contained HTML, SARIF, JUnit and
// PolicyReport. Every format sits behind the one Renderer interface.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// Renderer writes a report in one format. Renderers never modify the report
// they are given; they render a sorted copy (see findings.Report.Sort), so
// the output depends only on the report's contents, not on the order its
// findings were collected in. Diffs of Secrets are redacted on the way (see
// safeDiff).
type Renderer interface {
	Render(w io.Writer, r *findings.Report) error
}

// RendererFunc adapts a function to Renderer.
type RendererFunc func(w io.Writer, r *findings.Report) error

// Render calls f.
func (f RendererFunc) Render(w io.Writer, r *findings.Report) error { return f(w, r) }

var renderers = map[string]Renderer{
	"text":         Text{},
	"json":         RendererFunc(renderJSON),
	"markdown":     RendererFunc(renderMarkdown),
	"html":         RendererFunc(renderHTML),
	"sarif":        RendererFunc(renderSARIF),
	"junit":        RendererFunc(renderJUnit),
	"policyreport": RendererFunc(renderPolicyReport),
}

// For returns the renderer of a format.
func For(format string) (Renderer, error) {
	r, ok := renderers[strings.ToLower(format)]
	if !ok {
		return nil, fmt.Errorf("--format: %q is not one of %s", format, strings.Join(Formats(), ", "))
	}
	return r, nil
}

// Formats lists the format names, sorted.
func Formats() []string {
	out := make([]string, 0, len(renderers))
	for k := range renderers {
		out = append(out, k)
	}
	sort.Strings(out)
	return slices.Clip(out)
}

// JSONSchemaVersion is the schemaVersion of the JSON report; its JSON
// Schema is schema/report.<version>.schema.json.
const JSONSchemaVersion = "v1"

func renderJSON(w io.Writer, r *findings.Report) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("render json: %w", err)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	doc := struct {
		SchemaVersion string `json:"schemaVersion"`
		*findings.Report
	}{JSONSchemaVersion, prepare(r)}
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("render json: %w", err)
	}
	return nil
}
