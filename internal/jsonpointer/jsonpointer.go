// Package jsonpointer parses RFC 6901 JSON pointers, with "*" as a
// wildcard token, and removes what they address from JSON-like values
// (map[string]any / []any). Normalization rules and audit ignore rules both
// use it.
package jsonpointer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Wildcard is the token that matches every element of a list or every key
// of a map. RFC 6901 has no wildcard; a literal "*" key therefore cannot be
// addressed.
const Wildcard = "*"

// Pointer is a parsed pointer, one unescaped token per level.
type Pointer []string

var unescaper = strings.NewReplacer("~1", "/", "~0", "~")

// Parse parses a pointer. The empty pointer (the whole document) is
// refused: no rule removes an entire object.
func Parse(s string) (Pointer, error) {
	if !strings.HasPrefix(s, "/") {
		return nil, fmt.Errorf("json pointer %q: must start with \"/\"", s)
	}
	raw := strings.Split(s[1:], "/")
	p := make(Pointer, len(raw))
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

// Remove deletes every location p matches below v, in place, and returns
// v — a new slice header when an element of a list was deleted. Absent
// locations are ignored.
func (p Pointer) Remove(v any) any {
	if len(p) == 0 {
		return v
	}
	tok, last := p[0], len(p) == 1
	switch c := v.(type) {
	case map[string]any:
		if tok == Wildcard {
			if last {
				clear(c)
				return c
			}
			for k, child := range c {
				c[k] = p[1:].Remove(child)
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
			c[tok] = p[1:].Remove(child)
		}
		return c
	case []any:
		if tok == Wildcard {
			if last {
				return []any{}
			}
			for i := range c {
				c[i] = p[1:].Remove(c[i])
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
		c[i] = p[1:].Remove(c[i])
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
