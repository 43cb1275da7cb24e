package edit

import (
	"strings"

	"github.com/clusterscribe/clusterscribe/internal/yamldoc"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// parseDoc parses one document; root is its top-level mapping, nil when
// the document holds none.
func parseDoc(text string) (doc, root *yaml.Node, err error) {
	doc = &yaml.Node{}
	if err := yaml.Unmarshal([]byte(text), doc); err != nil {
		return nil, nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return doc, nil, nil
	}
	return doc, doc.Content[0], nil
}

// findDocument returns the document of data whose top-level mapping
// starts at line (the line the audit reports for a declaration); line 0
// finds the only document holding a mapping.
func findDocument(data []byte, line int) (yamldoc.Document, bool) {
	var only []yamldoc.Document
	for _, d := range yamldoc.Split(data) {
		text := string(d.Data)
		if strings.TrimSpace(text) == "" {
			continue
		}
		_, root, err := parseDoc(text)
		if err != nil || root == nil {
			continue
		}
		if line > 0 && d.Line+root.Line-1 == line {
			return d, true
		}
		only = append(only, d)
	}
	if line <= 0 && len(only) == 1 {
		return only[0], true
	}
	return yamldoc.Document{}, false
}

// lines is a document's text as lines, without their "\n".
type lines struct {
	l        []string
	trailing bool // the text ended with "\n"
	crlf     bool
}

func splitLines(text string) lines {
	ls := lines{trailing: strings.HasSuffix(text, "\n"), crlf: strings.Contains(text, "\r\n")}
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return ls
	}
	for _, l := range strings.Split(text, "\n") {
		ls.l = append(ls.l, strings.TrimSuffix(l, "\r"))
	}
	return ls
}

func (ls lines) String() string {
	nl := "\n"
	if ls.crlf {
		nl = "\r\n"
	}
	s := strings.Join(ls.l, nl)
	if ls.trailing {
		s += nl
	}
	return s
}

// line returns line n (1-based).
func (ls lines) line(n int) string {
	if n < 1 || n > len(ls.l) {
		return ""
	}
	return ls.l[n-1]
}

// replace replaces lines [from, to] (1-based, inclusive; to = from-1
// inserts before from) with repl.
func (ls lines) replace(from, to int, repl []string) lines {
	out := make([]string, 0, len(ls.l)-(to-from+1)+len(repl))
	out = append(out, ls.l[:from-1]...)
	out = append(out, repl...)
	out = append(out, ls.l[to:]...)
	ls.l = out
	return ls
}

// indentOf counts the leading spaces of s.
func indentOf(s string) int {
	return len(s) - len(strings.TrimLeft(s, " "))
}

// isBlank reports an empty or whitespace-only line.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// isComment reports a line holding only a comment.
func isComment(s string) bool { return strings.HasPrefix(strings.TrimSpace(s), "#") }
