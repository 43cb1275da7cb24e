package edit

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/clusterscribe/clusterscribe/internal/jsonvalue"
	"github.com/clusterscribe/clusterscribe/internal/yamldoc"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Op is one change to a document: the value at Path becomes Value, or,
// with Delete, the field or list item at Path goes.
type Op struct {
	Path   Path
	Value  any // JSON-like: maps, lists, strings, numbers, booleans
	Delete bool
}

func (o Op) String() string {
	if o.Delete {
		return "delete " + o.Path.String()
	}
	return "set " + o.Path.String()
}

// Result is an edited file.
type Result struct {
	Content []byte
	// Reformatted says the document could not be edited in place and was
	// rendered whole by kyaml: its comments and key order are kept, its
	// layout (indentation, blank lines, quoting) normalized.
	Reformatted bool
}

var (
	// ErrNoDocument means no document of the file starts at the given line.
	ErrNoDocument = errors.New("no manifest starts at that line")
	// ErrNotApplicable means kyaml could not apply an operation: the path
	// runs through a scalar, or names a list position that is not there.
	ErrNotApplicable = errors.New("cannot apply")
)

// Apply edits the document of content whose top-level mapping starts at
// line (the audit's line of a declaration; 0 for a file of one manifest).
// Sets are applied first, in order, then deletes, last first, so that
// deleting items by position keeps earlier positions valid. Only the
// bytes of the changed fields change (see the package comment).
func Apply(content []byte, line int, ops []Op) (Result, error) {
	d, ok := findDocument(content, line)
	if !ok {
		return Result{}, fmt.Errorf("edit: line %d: %w", line, ErrNoDocument)
	}
	text := string(d.Data)
	style := yaml.SequenceIndentStyle(yaml.DeriveSeqIndentStyle(text))
	reformatted := false
	for _, op := range ordered(ops) {
		next, re, err := applyOne(text, op, style)
		if err != nil {
			return Result{}, fmt.Errorf("edit %s: %w", op.Path, err)
		}
		text, reformatted = next, reformatted || re
	}
	out := make([]byte, 0, len(content)+len(text)-len(d.Data))
	out = append(out, content[:d.Start]...)
	out = append(out, text...)
	out = append(out, content[d.End:]...)
	return Result{Content: out, Reformatted: reformatted}, nil
}

func ordered(ops []Op) []Op {
	var sets, deletes []Op
	for _, o := range ops {
		if o.Delete {
			deletes = append(deletes, o)
		} else {
			sets = append(sets, o)
		}
	}
	slices.Reverse(deletes)
	return append(sets, deletes...)
}

// applyOne applies op to a document's text: kyaml decides the result, the
// splice writes it (see splicer), and the spliced text must mean what
// kyaml produced or the document is rendered whole.
func applyOne(text string, op Op, style yaml.SequenceIndentStyle) (string, bool, error) {
	if len(op.Path) == 0 {
		return "", false, fmt.Errorf("%w: empty path", ErrNotApplicable)
	}
	_, root, err := parseDoc(text)
	if err != nil || root == nil {
		return "", false, fmt.Errorf("%w: the document is not a YAML mapping", ErrNotApplicable)
	}
	wantDoc, want, _ := parseDoc(text)
	if err := kyamlApply(want, op); err != nil {
		return "", false, err
	}
	wantValue, err := decode(want)
	if err != nil {
		return "", false, err
	}
	sp := &splicer{ls: splitLines(text), root: root, want: want, style: style}
	if ls, ok := sp.apply(op); ok {
		out := ls.String()
		if _, got, err := parseDoc(out); err == nil && got != nil {
			if v, err := decode(got); err == nil && jsonvalue.Equal(wantValue, v) {
				return out, false, nil
			}
		}
	}
	out, err := yaml.MarshalWithOptions(wantDoc, &yaml.EncoderOptions{SeqIndent: style})
	if err != nil {
		return "", false, fmt.Errorf("render: %w", err)
	}
	return string(out), true, nil
}

// kyamlApply applies op to the parsed document with kyaml's filters.
func kyamlApply(root *yaml.Node, op Op) error {
	rn := yaml.NewRNode(root)
	parentPath, last := op.Path[:len(op.Path)-1], op.Path[len(op.Path)-1]
	if op.Delete {
		parent, err := lookup(rn, parentPath, false)
		if err != nil || parent == nil {
			return err // nothing there: nothing to delete
		}
		switch {
		case !last.Item:
			if parent.YNode().Kind != yaml.MappingNode {
				return nil
			}
			_, err = parent.Pipe(yaml.Clear(last.Key))
		case last.Field != "":
			if parent.YNode().Kind != yaml.SequenceNode {
				return nil
			}
			_, err = parent.Pipe(yaml.ElementSetter{Keys: []string{last.Field}, Values: []string{last.Value}})
		default:
			if c := parent.YNode(); c.Kind == yaml.SequenceNode && last.Index < len(c.Content) {
				c.Content = slices.Delete(c.Content, last.Index, last.Index+1)
			}
		}
		return err
	}
	value, err := toNode(op.Value)
	if err != nil {
		return err
	}
	kind := yaml.MappingNode
	if last.Item {
		kind = yaml.SequenceNode
	}
	parent, err := lookup(rn, parentPath, true, kind)
	if err != nil {
		return err
	}
	if parent == nil {
		return fmt.Errorf("%w: %s cannot be created", ErrNotApplicable, parentPath)
	}
	switch {
	case !last.Item:
		if parent.YNode().Kind != yaml.MappingNode {
			return fmt.Errorf("%w: %s is not a mapping", ErrNotApplicable, parentPath)
		}
		if old := parent.Field(last.Key); old != nil {
			keepComments(old.Value.YNode(), value)
		}
		_, err = parent.Pipe(yaml.SetField(last.Key, yaml.NewRNode(value)))
	case last.Field != "":
		if parent.YNode().Kind != yaml.SequenceNode {
			return fmt.Errorf("%w: %s is not a list", ErrNotApplicable, parentPath)
		}
		if old, _ := parent.Pipe(yaml.MatchElement(last.Field, last.Value)); old != nil {
			keepComments(old.YNode(), value)
		}
		_, err = parent.Pipe(yaml.ElementSetter{Keys: []string{last.Field}, Values: []string{last.Value}, Element: value})
	default:
		c := parent.YNode()
		switch {
		case c.Kind != yaml.SequenceNode:
			return fmt.Errorf("%w: %s is not a list", ErrNotApplicable, parentPath)
		case last.Index < len(c.Content):
			keepComments(c.Content[last.Index], value)
			c.Content[last.Index] = value
		case last.Index == len(c.Content):
			c.Content = append(c.Content, value)
		default:
			return fmt.Errorf("%w: %s has %d items, not %d", ErrNotApplicable, parentPath, len(c.Content), last.Index)
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotApplicable, err)
	}
	return nil
}

// lookup walks p with kyaml's matchers, creating what is missing when
// create is set: maps for keys, items holding their key field for items
// found by a field. The last created node is of kind leaf[0].
func lookup(rn *yaml.RNode, p Path, create bool, leaf ...yaml.Kind) (*yaml.RNode, error) {
	cur := rn
	for i, s := range p {
		kind := yaml.MappingNode
		switch {
		case i+1 < len(p) && p[i+1].Item:
			kind = yaml.SequenceNode
		case i+1 == len(p) && len(leaf) > 0:
			kind = leaf[0]
		}
		var f yaml.Filter
		switch {
		case !s.Item && create:
			f = yaml.FieldMatcher{Name: s.Key, Create: yaml.NewRNode(&yaml.Node{Kind: kind})}
		case !s.Item:
			f = yaml.FieldMatcher{Name: s.Key}
		case s.Field != "" && create:
			item := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Value: s.Field}, {Kind: yaml.ScalarNode, Value: s.Value},
			}}
			if _, err := strconv.ParseInt(s.Value, 10, 64); err == nil {
				item.Content[1].Tag = "!!int"
			}
			f = yaml.ElementMatcher{Keys: []string{s.Field}, Values: []string{s.Value}, Create: yaml.NewRNode(item)}
		case s.Field != "":
			f = yaml.MatchElement(s.Field, s.Value)
		default:
			f = yaml.GetElementByIndex(s.Index)
		}
		if cur.YNode().Kind == yaml.ScalarNode && cur.YNode().Tag != "!!null" {
			return nil, fmt.Errorf("%w: %s is a scalar", ErrNotApplicable, p[:i])
		}
		next, err := cur.Pipe(f)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNotApplicable, err)
		}
		if next == nil {
			return nil, nil
		}
		cur = next
	}
	return cur, nil
}

// keepComments carries the comments and quoting of the value being
// replaced over to its replacement, so that a list of quoted strings stays
// quoted and a flow mapping stays on its line.
func keepComments(old, n *yaml.Node) {
	n.HeadComment, n.LineComment, n.FootComment = old.HeadComment, old.LineComment, old.FootComment
	keepStyle(old, n)
}

func keepStyle(old, n *yaml.Node) {
	switch {
	case old.Kind != n.Kind:
	case n.Kind == yaml.ScalarNode:
		if n.Tag == "!!str" && old.Tag == "!!str" {
			n.Style = old.Style & (yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle)
		}
	case n.Kind == yaml.SequenceNode:
		n.Style = old.Style & yaml.FlowStyle
		for i, c := range n.Content {
			if i < len(old.Content) {
				keepStyle(old.Content[i], c)
			} else if len(old.Content) > 0 {
				keepStyle(old.Content[0], c)
			}
		}
	case n.Kind == yaml.MappingNode:
		n.Style = old.Style & yaml.FlowStyle
		for i := 0; i+1 < len(n.Content); i += 2 {
			if j := keyIndex(old, n.Content[i].Value); j >= 0 {
				keepStyle(old.Content[j+1], n.Content[i+1])
			}
		}
	}
}

// Decode returns what the document of content starting at line (0 for a
// file of one manifest) holds, as a JSON-like map.
func Decode(content []byte, line int) (map[string]any, error) {
	d, ok := findDocument(content, line)
	if !ok {
		return nil, fmt.Errorf("edit: line %d: %w", line, ErrNoDocument)
	}
	_, root, err := parseDoc(string(d.Data))
	if err != nil || root == nil {
		return nil, fmt.Errorf("edit: line %d: %w", line, ErrNoDocument)
	}
	v, err := decode(root)
	if err != nil {
		return nil, fmt.Errorf("edit: line %d: %w", line, err)
	}
	m, _ := v.(map[string]any)
	return m, nil
}

// Documents returns the line of each document of content that holds a
// mapping, with what it holds.
func Documents(content []byte) ([]int, []map[string]any) {
	var lines []int
	var docs []map[string]any
	for _, d := range yamldoc.Split(content) {
		_, root, err := parseDoc(string(d.Data))
		if err != nil || root == nil {
			continue
		}
		v, err := decode(root)
		if err != nil {
			continue
		}
		m, _ := v.(map[string]any)
		lines = append(lines, d.Line+root.Line-1)
		docs = append(docs, m)
	}
	return lines, docs
}
