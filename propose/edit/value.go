package edit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/clusterscribe/clusterscribe/internal/jsonvalue"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// toNode converts a JSON-like value (maps, lists, strings, numbers,
// booleans, nil) into a block-style YAML node. Map keys are sorted, with
// "name" first, as Kubernetes manifests are usually written.
func toNode(v any) (*yaml.Node, error) {
	switch t := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	case string:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}
		if strings.Contains(strings.TrimRight(t, "\n"), "\n") {
			n.Style = yaml.LiteralStyle
		}
		return n, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}, nil
	case int:
		return intNode(int64(t)), nil
	case int32:
		return intNode(int64(t)), nil
	case int64:
		return intNode(t), nil
	case float64:
		if i, ok := jsonvalue.Integral(t); ok {
			return intNode(i), nil
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(t, 'g', -1, 64)}, nil
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range orderedKeys(t) {
			c, err := toNode(t[k])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, c)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, it := range t {
			c, err := toNode(it)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	}
	return nil, fmt.Errorf("edit: cannot write a %T", v)
}

func intNode(i int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(i, 10)}
}

func orderedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "name":
			return -1
		case b == "name":
			return 1
		}
		return strings.Compare(a, b)
	})
	return keys
}

// decode turns a node into a JSON-like value with numbers as int64 or
// float64, for comparing what two documents mean.
func decode(n *yaml.Node) (any, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return jsonvalue.Canonical(v), nil
}
