package serializer

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/clusterscribe/clusterscribe/internal/jsonvalue"
	"go.yaml.in/yaml/v3"
)

// Marshal renders an object as canonical YAML: keys sorted by byte order at
// every level, 2-space indentation, block style, no line wrapping, a trailing
// newline. The same object always gives the same bytes.
//
// Values must be JSON-like (maps with string keys, []any, string, bool, nil,
// and numbers). Integers are written as integers; floats in decimal notation
// (never 1e+06) unless their magnitude needs an exponent. Strings that a
// YAML 1.1 reader (kubectl, sigs.k8s.io/yaml) would take for something else
// ("yes", "on", "1:20", "0x1F", "2024-01-01", "null") are quoted.
func Marshal(obj map[string]any) ([]byte, error) {
	root, err := toNode(obj)
	if err != nil {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	return encodeNode(root)
}

// encodeNode writes a node tree as one YAML document.
func encodeNode(root *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	return buf.Bytes(), nil
}

// toNode builds the YAML node tree of a JSON-like value.
func toNode(v any) (*yaml.Node, error) {
	switch t := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: make([]*yaml.Node, 0, 2*len(t))}
		for _, k := range jsonvalue.SortedKeys(t) {
			if !utf8.ValidString(k) {
				return nil, &valueError{msg: "map key is not valid UTF-8", path: []string{"<key>"}}
			}
			child, err := toNode(t[k])
			if err != nil {
				return nil, within(err, k)
			}
			n.Content = append(n.Content, stringNode(k), child)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: make([]*yaml.Node, 0, len(t))}
		for i, e := range t {
			child, err := toNode(e)
			if err != nil {
				return nil, within(err, strconv.Itoa(i))
			}
			n.Content = append(n.Content, child)
		}
		return n, nil
	case string:
		if !utf8.ValidString(t) {
			return nil, &valueError{msg: "string is not valid UTF-8"}
		}
		return stringNode(t), nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	case int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(t, 10)}, nil
	case float64:
		return floatNode(t)
	default:
		n, err := number(v)
		if err != nil {
			return nil, err
		}
		return toNode(n)
	}
}

// stringNode is a !!str scalar. The encoder quotes it when a YAML 1.2 reader
// would resolve it to another type; strings that only YAML 1.1 readers
// misread are quoted here.
func stringNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if isYAML11Special(s) || (strings.Contains(s, "\n") && !literalSafe(s)) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// literalSafe reports whether a multi-line string can be written as a
// literal block that YAML 1.1 readers (go-yaml v2, used by kubectl) accept:
// they refuse a block whose line starts with a tab.
func literalSafe(s string) bool {
	for line := range strings.SplitSeq(s, "\n") {
		if strings.HasPrefix(line, "\t") {
			return false
		}
	}
	return true
}

// floatNode writes a float the way encoding/json does (decimal unless the
// magnitude is below 1e-6 or from 1e21), so numbers keep their form. An
// integral float below 2^53 is written as an integer, as JSON would.
func floatNode(f float64) (*yaml.Node, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, &valueError{msg: "non-finite number"}
	}
	if i, ok := jsonvalue.Integral(f); ok {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(i, 10)}, nil
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	s := strconv.FormatFloat(f, format, -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		// Integral and beyond 2^53: an exponent keeps it a float, where plain
		// digits could overflow an int64 reader.
		s = strconv.FormatFloat(f, 'e', -1, 64)
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: s}, nil
}

// base60Float matches YAML 1.1 sexagesimal numbers ("1:20", "-3:25:45.5").
var base60Float = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`)

// isYAML11Special reports strings that the encoder would write plain but that
// YAML 1.1 readers take for booleans or numbers, or for a merge key ("<<").
func isYAML11Special(s string) bool {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
		"n", "N", "no", "No", "NO", "off", "Off", "OFF", "<<":
		return true
	}
	if s == "" || strings.IndexByte(s, ':') < 0 {
		return false
	}
	if c := s[0]; c != '+' && c != '-' && (c < '0' || c > '9') {
		return false
	}
	return base60Float.MatchString(s)
}
