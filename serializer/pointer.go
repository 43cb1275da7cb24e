package serializer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// wildcard is the pointer token that matches every element of a list or every
// key of a map. RFC 6901 has no wildcard; a literal "*" key therefore cannot
// be addressed by a rule.
const wildcard = "*"

// pointer is a parsed RFC 6901 JSON pointer, one unescaped token per level.
type pointer []string

var pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

// parsePointer parses an RFC 6901 JSON pointer. The empty pointer (the whole
// document) is refused: a rule never removes an entire object.
func parsePointer(s string) (pointer, error) {
	if !strings.HasPrefix(s, "/") {
		return nil, fmt.Errorf("json pointer %q: must start with \"/\"", s)
	}
	raw := strings.Split(s[1:], "/")
	p := make(pointer, len(raw))
	for i, tok := range raw {
		for j := 0; j < len(tok); j++ {
			if tok[j] == '~' && (j+1 == len(tok) || (tok[j+1] != '0' && tok[j+1] != '1')) {
				return nil, fmt.Errorf("json pointer %q: \"~\" must be followed by 0 or 1", s)
			}
		}
		p[i] = pointerUnescaper.Replace(tok)
	}
	return p, nil
}

// remove deletes every location the pointer matches in obj. Absent locations
// are ignored; the map is modified in place.
func (p pointer) remove(obj map[string]any) {
	removeAt(obj, p)
}

// removeAt removes toks below v and returns v, which is a new slice header
// when an element of a list was deleted.
func removeAt(v any, toks []string) any {
	tok, last := toks[0], len(toks) == 1
	switch c := v.(type) {
	case map[string]any:
		if tok == wildcard {
			if last {
				clear(c)
				return c
			}
			for k, child := range c {
				c[k] = removeAt(child, toks[1:])
			}
			return c
		}
		child, ok := c[tok]
		if !ok {
			return c
		}
		if last {
			delete(c, tok)
		} else {
			c[tok] = removeAt(child, toks[1:])
		}
		return c
	case []any:
		if tok == wildcard {
			if last {
				return []any{}
			}
			for i := range c {
				c[i] = removeAt(c[i], toks[1:])
			}
			return c
		}
		i, ok := listIndex(tok, len(c))
		if !ok {
			return c
		}
		if last {
			return slices.Delete(c, i, i+1)
		}
		c[i] = removeAt(c[i], toks[1:])
		return c
	default:
		return v
	}
}

// listIndex parses an RFC 6901 array index: decimal, no leading zeros.
func listIndex(tok string, n int) (int, bool) {
	if tok == "" || (len(tok) > 1 && tok[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(tok)
	if err != nil || i >= n {
		return 0, false
	}
	return i, true
}
