package policies

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/clusterscribe/clusterscribe/internal/yamldoc"
)

// document is one document of a multi-document YAML stream.
type document struct {
	text []byte
	// start is the file line the text starts at (1-based).
	start int
	// line is the first line holding content (not blank, not a comment),
	// where a finding about the document points.
	line int
}

// splitDocuments returns the documents of a YAML stream that hold
// content, with their lines (yamldoc's rules: kubectl's separators, a
// byte order mark skipped).
func splitDocuments(data []byte) []document {
	var docs []document
	for _, d := range yamldoc.Split(data) {
		if !d.Empty() {
			docs = append(docs, document{text: d.Data, start: d.Line, line: d.ContentLine})
		}
	}
	return docs
}

// nodeAt walks a YAML node by map keys (string) and sequence indexes
// (int); nil when the path does not exist.
func nodeAt(n *yaml.Node, path ...any) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, p := range path {
		if n == nil {
			return nil
		}
		switch key := p.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return nil
			}
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					next = n.Content[i+1]
					break
				}
			}
			n = next
		case int:
			if n.Kind != yaml.SequenceNode || key >= len(n.Content) {
				return nil
			}
			n = n.Content[key]
		}
	}
	return n
}

// scalarPosition maps rows and columns of a scalar's value to the file: a
// block scalar ("|") starts on the line after its indicator, indented; any
// other scalar is located at its first character.
func scalarPosition(file string, doc document, n *yaml.Node) position {
	line := doc.start + n.Line - 1
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		return position{file: file, lineOffset: line - 1, colOffset: n.Column - 1}
	}
	lines := strings.Split(string(doc.text), "\n")
	indent := 0
	for i := n.Line; i < len(lines); i++ {
		if t := strings.TrimLeft(lines[i], " "); t != "" {
			indent = len(lines[i]) - len(t)
			break
		}
	}
	return position{file: file, lineOffset: line, colOffset: indent}
}
