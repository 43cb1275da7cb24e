package declared

import (
	"bytes"
	"fmt"

	"github.com/clusterscribe/clusterscribe/internal/yamldoc"
	"go.yaml.in/yaml/v3"
)

// Bounds of checkTree: a document whose aliases expand to more than
// maxExpandedNodes nodes, and to more than aliasRatio times the nodes it
// has, is refused ("billion laughs"). Documents without aliases are never
// refused for their size.
const (
	maxExpandedNodes = 1_000_000
	aliasRatio       = 10
)

// checkTree finds what the YAML parser accepts but a manifest must not
// have, in time linear in the document: a key defined twice in a mapping,
// an anchor whose value contains itself, and alias bombs. It returns the
// line (in the file; docLine is the document's first line) and a message,
// or 0 and "".
func checkTree(root *yaml.Node, docLine int) (int, string) {
	return newTreeCheck(docLine, true).run(root)
}

// checkAliases is checkTree without the duplicate key check: what must be
// refused before anything expands the aliases (kustomize does).
func checkAliases(root *yaml.Node, docLine int) (int, string) {
	return newTreeCheck(docLine, false).run(root)
}

// aliasProblem checks every document of a file kustomize is about to read
// and returns an error for the first alias bomb or self-containing anchor.
// Files that are not YAML are left to kustomize.
func aliasProblem(data []byte) error {
	if !bytes.ContainsRune(data, '&') {
		return nil // no anchor, no alias
	}
	for _, doc := range yamldoc.Split(data) {
		var node yaml.Node
		if yaml.Unmarshal(doc.Data, &node) != nil || len(node.Content) == 0 {
			continue
		}
		if line, msg := checkAliases(node.Content[0], doc.Line); msg != "" {
			return fmt.Errorf("line %d: %s", line, msg)
		}
	}
	return nil
}

func newTreeCheck(docLine int, keys bool) *treeCheck {
	return &treeCheck{size: map[*yaml.Node]int64{}, active: map[*yaml.Node]bool{}, offset: docLine - 1, keys: keys}
}

func (c *treeCheck) run(root *yaml.Node) (int, string) {
	expanded, err := c.walk(root)
	if err != nil {
		return c.offset + err.line, err.msg
	}
	if expanded > maxExpandedNodes && expanded > aliasRatio*c.nodes {
		return c.offset + c.bigAlias, fmt.Sprintf("document contains excessive aliasing: its aliases expand to more than %d nodes", maxExpandedNodes)
	}
	return 0, ""
}

type treeError struct {
	line int
	msg  string
}

type treeCheck struct {
	size   map[*yaml.Node]int64 // expanded size of anchored nodes
	active map[*yaml.Node]bool  // anchored nodes being walked
	nodes  int64                // nodes in the document itself
	offset int                  // lines before the document in its file
	keys   bool                 // check for duplicate keys
	// bigAlias is the line of the alias that stands for the most nodes.
	bigAlias int
	bigSize  int64
}

// saturation keeps expanded sizes from overflowing.
const saturation = int64(1) << 50

// walk returns the number of nodes n stands for once aliases are expanded.
func (c *treeCheck) walk(n *yaml.Node) (int64, *treeError) {
	if n == nil {
		return 0, nil
	}
	if n.Kind == yaml.AliasNode {
		c.nodes++
		target := n.Alias
		if target == nil {
			return 1, nil
		}
		if c.active[target] {
			return 0, &treeError{line: n.Line, msg: fmt.Sprintf("anchor %q value contains itself", n.Value)}
		}
		s, ok := c.size[target]
		if !ok {
			var err *treeError
			if s, err = c.walk(target); err != nil {
				return 0, err
			}
		}
		if s > c.bigSize {
			c.bigSize, c.bigAlias = s, n.Line
		}
		return s, nil
	}
	if n.Anchor != "" {
		if s, ok := c.size[n]; ok {
			// Reached again through the tree after an alias walked it.
			return s, nil
		}
		c.active[n] = true
		defer delete(c.active, n)
	}
	c.nodes++
	size := int64(1)
	var keys map[string]int
	if n.Kind == yaml.MappingNode && c.keys {
		keys = make(map[string]int, len(n.Content)/2)
	}
	for i, child := range n.Content {
		if keys != nil && i%2 == 0 && child.Kind == yaml.ScalarNode && child.ShortTag() != "!!merge" {
			k := child.ShortTag() + "\x00" + child.Value
			if first, dup := keys[k]; dup {
				return 0, &treeError{line: child.Line, msg: fmt.Sprintf("mapping key %q already defined at line %d", child.Value, c.offset+first)}
			}
			keys[k] = child.Line
		}
		s, err := c.walk(child)
		if err != nil {
			return 0, err
		}
		size = min(size+s, saturation)
	}
	if n.Anchor != "" {
		c.size[n] = size
	}
	return size, nil
}
