package report

import (
	"regexp"
	"strings"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// redactedValue replaces a Secret value no renderer may show.
const redactedValue = "<redacted>"

// redactionMarker matches the markers written in place of Secret values,
// quoted or not: the serializer's "<redacted>" and "<redacted:0123456789ab>",
// the audit's "<redacted: differs from the declaration>". They are safe to
// show, and they still tell that a value changed.
var redactionMarker = regexp.MustCompile(`^(<redacted(:[^<>"'\n]*)?>|"<redacted(:[^<>"'\n]*)?>"|'<redacted(:[^<>"'\n]*)?>')$`)

// safeDiff returns the diff of f as renderers may show it. The diff of a
// Secret has been redacted by the serializer already; whatever reached the
// finding, every value of a Secret's diff is masked here, except the
// identity (apiVersion, kind, type, immutable, metadata name, namespace and
// labels) and redaction markers. Keys stay visible, so "this key
// changed" still shows. Lines whose place in the document cannot be told
// (the start of a hunk deep inside a mapping) are masked too.
func safeDiff(f findings.Finding) string {
	// Reports mask in doubt: a kind named Secret in any group is masked, not
	// only serializer.IsSecret's core Secret (masking the values of a custom
	// kind costs nothing, showing them might).
	if f.Diff == "" || f.Object.Kind != "Secret" {
		return f.Diff
	}
	lines := strings.Split(f.Diff, "\n")
	var (
		stack    []yamlKey
		inHeader = true
	)
	for i, line := range lines {
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "@@"):
			inHeader = false
			stack = stack[:0]
			continue
		case inHeader && (strings.HasPrefix(line, "--- ") || strings.HasPrefix(line, "+++ ")):
			continue
		case strings.HasPrefix(line, `\`): // "\ No newline at end of file"
			continue
		}
		prefix, content := line[:1], line[1:]
		if prefix != " " && prefix != "+" && prefix != "-" {
			lines[i] = redactedValue
			continue
		}
		inHeader = false
		lines[i] = prefix + redactYAMLLine(content, &stack)
	}
	return strings.Join(lines, "\n")
}

// yamlKey is a mapping key and the indentation it was found at.
type yamlKey struct {
	indent int
	key    string
}

// redactYAMLLine masks the value of one line of block YAML, tracking the path
// of mapping keys in stack.
func redactYAMLLine(content string, stack *[]yamlKey) string {
	trimmed := strings.TrimLeft(content, " ")
	indent := len(content) - len(trimmed)
	if trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return content
	}
	for len(*stack) > 0 && (*stack)[len(*stack)-1].indent >= indent {
		*stack = (*stack)[:len(*stack)-1]
	}
	parent := make([]string, len(*stack))
	for i, k := range *stack {
		parent[i] = k.key
	}
	key, value, isKey := splitYAMLKey(trimmed)
	if !isKey {
		// A list item, a block scalar's continuation, a flow collection:
		// nothing in a Secret's identity looks like that.
		return content[:indent] + redactedValue
	}
	path := append(parent, key)
	if value == "" {
		*stack = append(*stack, yamlKey{indent: indent, key: key})
		return content
	}
	anchored := len(*stack) == 0 && indent == 0 || len(*stack) > 0 && (*stack)[0].indent == 0
	if anchored && safeSecretPath(path) {
		return content
	}
	if redactionMarker.MatchString(value) {
		return content
	}
	return content[:indent] + key + ": " + redactedValue
}

// splitYAMLKey splits "key: value" (value may be empty); isKey is false for
// anything else.
func splitYAMLKey(s string) (key, value string, isKey bool) {
	if strings.HasPrefix(s, "- ") || s == "-" || strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
		return "", "", false
	}
	i := strings.Index(s, ": ")
	if i < 0 {
		if strings.HasSuffix(s, ":") {
			return strings.Trim(s[:len(s)-1], `"'`), "", true
		}
		return "", "", false
	}
	return strings.Trim(s[:i], `"'`), strings.TrimSpace(s[i+2:]), true
}

// safeSecretPath reports whether the value at path (from the document root)
// is part of a Secret's identity rather than its content.
func safeSecretPath(path []string) bool {
	switch len(path) {
	case 1:
		switch path[0] {
		case "apiVersion", "kind", "type", "immutable":
			return true
		}
	case 2:
		return path[0] == "metadata" && (path[1] == "name" || path[1] == "namespace")
	case 3:
		return path[0] == "metadata" && path[1] == "labels"
	}
	return false
}
