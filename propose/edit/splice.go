package edit

import (
	"bytes"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// splicer edits the text of one document for one operation, given what
// kyaml made of the document (want). It returns false when no splice
// applies; the caller then renders the whole document.
type splicer struct {
	ls    lines
	root  *yaml.Node // the text as parsed
	want  *yaml.Node // kyaml's result, root mapping
	style yaml.SequenceIndentStyle
}

func (s *splicer) apply(op Op) (lines, bool) {
	frames := walk(s.ls, s.root, op.Path)
	found := len(frames) == len(op.Path)+1
	if op.Delete {
		if !found {
			return s.ls, true
		}
		if ls, ok := s.cut(frames); ok {
			return ls, true
		}
		return s.rewrite(op.Path, frames)
	}
	if found {
		if ls, ok := s.replaceScalar(frames[len(frames)-1], op.Value); ok {
			return ls, true
		}
		return s.rewrite(op.Path, frames)
	}
	if ls, ok := s.insert(op.Path, frames); ok {
		return ls, true
	}
	return s.rewrite(op.Path, frames)
}

// cut removes an entry of a block mapping, with its head comment, or an
// item of a block sequence, when others remain.
func (s *splicer) cut(frames []frame) (lines, bool) {
	last := frames[len(frames)-1]
	if last.flow {
		return lines{}, false
	}
	first := s.ls.line(last.start)
	if last.key != nil {
		if len(last.parent.Content) < 4 || !prefixIs(first, last.col, false) {
			return lines{}, false
		}
		from := last.start
		for from > 1 && isComment(s.ls.line(from-1)) && indentOf(s.ls.line(from-1)) == last.col-1 {
			from--
		}
		return s.ls.replace(from, last.end, nil), true
	}
	if len(last.parent.Content) < 2 || !prefixIs(first, last.col+2, true) || !strings.HasPrefix(string([]rune(first)[last.col-1:]), "- ") {
		return lines{}, false
	}
	from := last.start
	for from > 1 && isComment(s.ls.line(from-1)) && indentOf(s.ls.line(from-1)) == last.col-1 {
		from--
	}
	return s.ls.replace(from, last.end, nil), true
}

// replaceScalar rewrites a single-line scalar in its token, keeping what
// surrounds it on the line (a trailing comment, a flow mapping's other
// entries).
func (s *splicer) replaceScalar(f frame, v any) (lines, bool) {
	old := f.node
	if old.Kind != yaml.ScalarNode || old.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || old.Anchor != "" || old.Tag == "!!null" && old.Value == "" {
		return lines{}, false
	}
	line := []rune(s.ls.line(old.Line))
	from := old.Column - 1
	to, ok := tokenEnd(line, from, old, f.flow)
	if !ok {
		return lines{}, false
	}
	text, ok := renderScalar(v, old, f.flow)
	if !ok {
		return lines{}, false
	}
	out := string(line[:from]) + text + string(line[to:])
	return s.ls.replace(old.Line, old.Line, []string{out}), true
}

// tokenEnd finds where the scalar starting at line[from] ends, and checks
// that the token holds the whole value (no continuation line).
func tokenEnd(line []rune, from int, n *yaml.Node, flow bool) (int, bool) {
	if from < 0 || from >= len(line) {
		return 0, false
	}
	to := -1
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		for i := from + 1; i < len(line); i++ {
			if line[i] == '\\' {
				i++
				continue
			}
			if line[i] == '"' {
				to = i + 1
				break
			}
		}
	case n.Style&yaml.SingleQuotedStyle != 0:
		for i := from + 1; i < len(line); i++ {
			if line[i] == '\'' {
				if i+1 < len(line) && line[i+1] == '\'' {
					i++
					continue
				}
				to = i + 1
				break
			}
		}
	default:
		to = len(line)
		for i := from; i < len(line); i++ {
			if line[i] == '#' && i > from && (line[i-1] == ' ' || line[i-1] == '\t') {
				to = i
				break
			}
			if flow && (line[i] == ',' || line[i] == ']' || line[i] == '}') {
				to = i
				break
			}
		}
		for to > from && (line[to-1] == ' ' || line[to-1] == '\t') {
			to--
		}
		if string(line[from:to]) != n.Value {
			return 0, false
		}
	}
	if to < 0 {
		return 0, false
	}
	var got string
	if yaml.Unmarshal([]byte(string(line[from:to])), &got) != nil || got != n.Value {
		return 0, false
	}
	return to, true
}

// renderScalar renders v as a scalar token in the old token's quoting
// where it fits; false when v is not a scalar or needs more than a line.
func renderScalar(v any, old *yaml.Node, flow bool) (string, bool) {
	n, err := toNode(v)
	if err != nil || n.Kind != yaml.ScalarNode || n.Style == yaml.LiteralStyle {
		return "", false
	}
	if n.Tag == "!!str" {
		n.Style = old.Style & (yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle)
		if flow && n.Style == 0 && strings.ContainsAny(n.Value, ",[]{}#&*!|>'\"%@`: ") {
			n.Style = yaml.DoubleQuotedStyle
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	if err := enc.Encode(n); err != nil || enc.Close() != nil {
		return "", false
	}
	out := strings.TrimSuffix(b.String(), "\n")
	if strings.Contains(out, "\n") {
		return "", false
	}
	return out, true
}

// insert adds what is missing of the path as a new entry after the last
// one of the block mapping that exists, or as a new item after the last
// one of the block sequence.
func (s *splicer) insert(p Path, frames []frame) (lines, bool) {
	k := len(frames) - 1 // p[k] is the first missing step
	c := frames[k]
	n := c.node
	if c.flow || n.Style&yaml.FlowStyle != 0 || len(n.Content) == 0 {
		return lines{}, false
	}
	key, want := lookupNode(s.want, p[:k+1])
	if want == nil {
		return lines{}, false
	}
	switch {
	case !p[k].Item && n.Kind == yaml.MappingNode && key != nil:
		lastKey := n.Content[len(n.Content)-2]
		last, ok := c.child(s.ls, Step{Key: lastKey.Value})
		if !ok {
			return lines{}, false
		}
		text, ok := s.render(entryNode(key, want), last.col)
		if !ok {
			return lines{}, false
		}
		return s.ls.replace(last.end+1, last.end, text), true
	case p[k].Item && n.Kind == yaml.SequenceNode:
		last, ok := c.child(s.ls, Step{Item: true, Index: len(n.Content) - 1})
		if !ok || !prefixIs(s.ls.line(last.start), last.col+2, true) {
			return lines{}, false
		}
		text, ok := s.render(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{want}}, last.col)
		if !ok {
			return lines{}, false
		}
		return s.ls.replace(last.end+1, last.end, text), true
	}
	return lines{}, false
}

// rewrite renders again the deepest block mapping entry on the path that
// both the text and kyaml's result hold, and nothing around it.
func (s *splicer) rewrite(p Path, frames []frame) (lines, bool) {
	for m := len(frames) - 1; m >= 1; m-- {
		f := frames[m]
		if f.key == nil || f.flow {
			continue
		}
		key, want := lookupNode(s.want, p[:m])
		if key == nil || want == nil {
			continue
		}
		kc := *f.key
		kc.HeadComment, kc.FootComment = "", ""
		text, ok := s.render(entryNode(&kc, want), f.col)
		if !ok {
			continue
		}
		first := []rune(s.ls.line(f.start))
		text[0] = string(first[:f.col-1]) + strings.TrimLeft(text[0], " ")
		return s.ls.replace(f.start, f.end, text), true
	}
	return lines{}, false
}

func entryNode(key, value *yaml.Node) *yaml.Node {
	k := *key
	k.HeadComment = ""
	return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{&k, value}}
}

// render encodes n with kyaml's encoder and indents it to start at col.
func (s *splicer) render(n *yaml.Node, col int) ([]string, bool) {
	out, err := yaml.MarshalWithOptions(n, &yaml.EncoderOptions{SeqIndent: s.style})
	if err != nil {
		return nil, false
	}
	text := strings.TrimSuffix(string(out), "\n")
	pad := strings.Repeat(" ", col-1)
	ls := strings.Split(text, "\n")
	for i, l := range ls {
		if l != "" {
			ls[i] = pad + l
		}
	}
	return ls, true
}
