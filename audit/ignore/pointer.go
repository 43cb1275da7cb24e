package ignore

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// wildcard is the pointer token matching every list element or map key.
const wildcard = "*"

// pointer is a parsed RFC 6901 JSON pointer, one unescaped token a level.
type pointer []string

var unescaper = strings.NewReplacer("~1", "/", "~0", "~")

// parsePointer parses an RFC 6901 pointer; the whole document ("") is
// refused, a rule never ignores an entire object.
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
		p[i] = unescaper.Replace(tok)
	}
	return p, nil
}

// remove deletes every location p matches below v, in place, and returns
// v (a new slice header when a list element was deleted).
func (p pointer) remove(v any) any {
	if len(p) == 0 {
		return v
	}
	tok, last := p[0], len(p) == 1
	switch c := v.(type) {
	case map[string]any:
		if tok == wildcard {
			for k, child := range c {
				if last {
					delete(c, k)
				} else {
					c[k] = p[1:].remove(child)
				}
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
			c[tok] = p[1:].remove(child)
		}
		return c
	case []any:
		if tok == wildcard {
			if last {
				return []any{}
			}
			for i := range c {
				c[i] = p[1:].remove(c[i])
			}
			return c
		}
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || i >= len(c) || (len(tok) > 1 && tok[0] == '0') {
			return c
		}
		if last {
			return slices.Delete(c, i, i+1)
		}
		c[i] = p[1:].remove(c[i])
		return c
	default:
		return v
	}
}
