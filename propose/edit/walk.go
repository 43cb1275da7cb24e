package edit

import (
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// frame is one node reached along a path in a parsed document, with the
// lines its entry (or list item) spans.
type frame struct {
	node   *yaml.Node // the value reached
	key    *yaml.Node // its key, when reached through a map key
	parent *yaml.Node // the mapping or sequence holding it; nil for the root
	pos    int        // index in parent.Content of the key, or of the item
	start  int        // first line of the entry or item (1-based)
	end    int        // last line of the entry or item
	col    int        // column of the key, or of the item's dash (1-based)
	flow   bool       // inside a flow collection: lines mean nothing
}

// walk follows p from the document's root mapping as far as it exists; the
// first frame is the root, each further one a step of p.
func walk(ls lines, root *yaml.Node, p Path) []frame {
	end := trimEnd(ls, 1, len(ls.l), 1)
	frames := []frame{{node: root, start: 1, end: end, col: root.Column}}
	for _, s := range p {
		f := frames[len(frames)-1]
		next, ok := f.child(ls, s)
		if !ok {
			break
		}
		frames = append(frames, next)
	}
	return frames
}

// child steps from f to its child s.
func (f frame) child(ls lines, s Step) (frame, bool) {
	n := f.node
	flow := f.flow || n.Style&yaml.FlowStyle != 0
	if !s.Item {
		if n.Kind != yaml.MappingNode {
			return frame{}, false
		}
		i := keyIndex(n, s.Key)
		if i < 0 {
			return frame{}, false
		}
		key := n.Content[i]
		c := frame{node: n.Content[i+1], key: key, parent: n, pos: i, start: key.Line, col: key.Column, flow: flow}
		return c.ending(ls, f.end, i+2), true
	}
	if n.Kind != yaml.SequenceNode {
		return frame{}, false
	}
	j := itemIndex(n, s)
	if j < 0 {
		return frame{}, false
	}
	it := n.Content[j]
	c := frame{node: it, parent: n, pos: j, start: it.Line, col: dashColumn(ls.line(it.Line), it.Column), flow: flow}
	return c.ending(ls, f.end, j+1), true
}

// ending returns c with its last line set: the line before its next
// sibling (at index next of its parent's Content) or, for the last one,
// the parent's end, with trailing blanks and comments trimmed. An entry of
// a flow collection ends on its first line.
func (c frame) ending(ls lines, parentEnd, next int) frame {
	c.end = c.start
	if c.flow {
		return c
	}
	limit := parentEnd
	if next < len(c.parent.Content) {
		limit = c.parent.Content[next].Line - 1
	}
	c.end = trimEnd(ls, c.start, limit, c.col)
	return c
}

// trimEnd moves end back over trailing blank lines and over comment lines
// indented no deeper than col: those belong to what follows.
func trimEnd(ls lines, start, end, col int) int {
	for end > start {
		l := ls.line(end)
		if isBlank(l) || (isComment(l) && indentOf(l) <= col-1) {
			end--
			continue
		}
		break
	}
	return end
}

func keyIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return i
		}
	}
	return -1
}

// itemIndex finds the list item a step designates: by a field's value,
// compared as text, or by position.
func itemIndex(seq *yaml.Node, s Step) int {
	if s.Field == "" {
		if s.Index < len(seq.Content) {
			return s.Index
		}
		return -1
	}
	for j, it := range seq.Content {
		if it.Kind != yaml.MappingNode {
			continue
		}
		if i := keyIndex(it, s.Field); i >= 0 && it.Content[i+1].Kind == yaml.ScalarNode && it.Content[i+1].Value == s.Value {
			return j
		}
	}
	return -1
}

// dashColumn finds the column of the "- " that introduces an item whose
// content starts at col on line; col itself when there is none.
func dashColumn(line string, col int) int {
	r := []rune(line)
	for i := min(col-2, len(r)-1); i >= 0; i-- {
		if r[i] == '-' && i+1 < len(r) && r[i+1] == ' ' {
			return i + 1
		}
		if r[i] != ' ' && r[i] != '-' {
			break
		}
	}
	return col
}

// lookupNode returns the node at p below root, and its key when the last
// step is a map key; nil when it is not there.
func lookupNode(root *yaml.Node, p Path) (key, node *yaml.Node) {
	node = root
	for _, s := range p {
		if !s.Item {
			if node.Kind != yaml.MappingNode {
				return nil, nil
			}
			i := keyIndex(node, s.Key)
			if i < 0 {
				return nil, nil
			}
			key, node = node.Content[i], node.Content[i+1]
			continue
		}
		if node.Kind != yaml.SequenceNode {
			return nil, nil
		}
		j := itemIndex(node, s)
		if j < 0 {
			return nil, nil
		}
		key, node = nil, node.Content[j]
	}
	return key, node
}

// prefixIs reports whether line holds only spaces (and, with dash, one
// "- ") before column col.
func prefixIs(line string, col int, dash bool) bool {
	r := []rune(line)
	if col-1 > len(r) {
		return false
	}
	p := string(r[:col-1])
	if dash {
		p = strings.Replace(p, "- ", "  ", 1)
	}
	return strings.TrimLeft(p, " ") == ""
}
