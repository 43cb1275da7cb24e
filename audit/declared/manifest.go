package declared

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/yamldoc"
)

// failingLineBudget bounds the bytes firstFailingLine parses for the
// errors of one file.
const failingLineBudget = 32 << 20

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// parseManifests reads every Kubernetes object of a YAML (or JSON) file.
// Documents that are not objects (no apiVersion and kind) are skipped;
// malformed ones become problems, and the other documents are still read.
func parseManifests(file string, data []byte) ([]Object, []findings.Problem) {
	budget := failingLineBudget
	var objs []Object
	var problems []findings.Problem
	for _, doc := range yamldoc.Split(data) {
		o, p := parseDocument(file, doc, &budget)
		objs = append(objs, o...)
		problems = append(problems, p...)
	}
	return objs, problems
}

func parseDocument(file string, doc yamldoc.Document, budget *int) ([]Object, []findings.Problem) {
	if objs, ok := parsePlain(file, doc); ok {
		return objs, nil
	}
	return parseChecked(file, doc, budget)
}

// parseChecked reads a document with every check: its YAML tree first
// (duplicate keys, alias bombs, the lines of list items), then the object.
func parseChecked(file string, doc yamldoc.Document, budget *int) ([]Object, []findings.Problem) {
	problem := func(line int, format string, args ...any) []findings.Problem {
		return []findings.Problem{{Source: findings.Source{File: file, Line: line}, Message: fmt.Sprintf(format, args...)}}
	}
	var node yaml.Node
	err := yaml.Unmarshal(doc.Data, &node)
	if err == nil && node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		if line, msg := checkTree(node.Content[0], doc.Line); msg != "" {
			return nil, problem(line, "malformed YAML: %s", msg)
		}
	}
	if err != nil {
		line, msg := doc.Line, err.Error()
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			msg = te.Errors[0]
		}
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			line = doc.Line + firstFailingLine(doc.Data, n, budget) - 1
			msg = msg[len(m[0]):]
		}
		return nil, problem(line, "malformed YAML: %s", strings.TrimPrefix(msg, "yaml: "))
	}
	if node.Kind != yaml.DocumentNode || len(node.Content) == 0 || node.Content[0].Kind != yaml.MappingNode {
		return nil, nil // empty, or not a mapping: not a manifest
	}
	root := node.Content[0]
	line := doc.Line + root.Line - 1
	obj, err := toObject(doc.Data)
	if err != nil {
		return nil, problem(line, "malformed manifest: %v", err)
	}
	u := manifestObject(obj)
	if u == nil {
		return nil, nil
	}
	if u.IsList() {
		return listItems(file, u, root, doc.Line)
	}
	if u.GetName() == "" {
		return nil, problem(line, "%s %s has no metadata.name; only named objects can be audited", u.GetAPIVersion(), u.GetKind())
	}
	return []Object{{Object: u, Source: findings.Source{File: file, Line: line}}}, nil
}

// firstFailingLine narrows a YAML error down to a line. The parser names
// the line where the enclosing construct starts (a mapping, several lines
// up); the first line at which the document stops parsing when cut there
// is where the mistake is. from is the parser's line (1-based); the result
// is never before it.
//
// Each try parses the document up to that line, so the search is bounded:
// once the tries of a file have parsed *budget bytes, it settles for from.
func firstFailingLine(doc []byte, from int, budget *int) int {
	lines := bytes.SplitAfter(doc, []byte("\n"))
	end := 0
	for i, l := range lines {
		end += len(l)
		if i+1 < from {
			continue
		}
		if *budget -= end; *budget < 0 {
			return from
		}
		var n yaml.Node
		if yaml.Unmarshal(doc[:end], &n) != nil {
			return i + 1
		}
	}
	return from
}

// listItems expands a v1 List, each item keeping its own line.
func listItems(file string, list *unstructured.Unstructured, root *yaml.Node, docLine int) ([]Object, []findings.Problem) {
	var itemNodes []*yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "items" && root.Content[i+1].Kind == yaml.SequenceNode {
			itemNodes = root.Content[i+1].Content
		}
	}
	items, _ := list.Object["items"].([]any)
	var objs []Object
	var problems []findings.Problem
	for i, it := range items {
		line := docLine + root.Line - 1
		if i < len(itemNodes) {
			line = docLine + itemNodes[i].Line - 1
		}
		m, ok := it.(map[string]any)
		u := &unstructured.Unstructured{Object: m}
		if !ok || u.GetAPIVersion() == "" || u.GetKind() == "" || u.GetName() == "" {
			problems = append(problems, findings.Problem{
				Source:  findings.Source{File: file, Line: line},
				Message: "list item is not a named Kubernetes object (apiVersion, kind and metadata.name are required)",
			})
			continue
		}
		objs = append(objs, Object{Object: u, Source: findings.Source{File: file, Line: line}})
	}
	return objs, problems
}

// manifestObject returns the object a document declares, or nil when it
// declares none: some other YAML (CI config, Helm values, ...) without
// apiVersion or kind, or a tool's configuration.
func manifestObject(obj map[string]any) *unstructured.Unstructured {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" || kind == "" {
		return nil
	}
	u := &unstructured.Unstructured{Object: obj}
	if isToolConfig(u) {
		return nil
	}
	return u
}

// isToolConfig reports files that configure tools rather than declare
// objects: kustomize's own kinds.
func isToolConfig(u *unstructured.Unstructured) bool {
	gv := u.GroupVersionKind().Group
	return gv == "kustomize.config.k8s.io" || gv == "config.kubernetes.io"
}

// toObject converts one YAML document to a JSON-like map the way kubectl
// reads manifests (sigs.k8s.io/yaml), with integers as int64 and other
// numbers as float64.
func toObject(doc []byte) (map[string]any, error) {
	js, err := sigsyaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	return decodeJSON(js)
}

func fixNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			t[k] = fixNumbers(c)
		}
		return t
	case []any:
		for i, c := range t {
			t[i] = fixNumbers(c)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	default:
		return v
	}
}
