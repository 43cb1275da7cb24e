package edit

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Step is one level of a Path: a map key, or a list item found by the
// value of one of its fields or, without a field, by position.
type Step struct {
	// Key is the map key of a key step.
	Key string
	// Item marks a list item step.
	Item bool
	// Field and Value find the item whose Field holds Value (compared as
	// text: "8080" finds containerPort: 8080). An empty Field means Index.
	Field, Value string
	Index        int
}

// Path addresses a field of an object.
type Path []Step

var plainKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ErrBadPath is returned for a path that cannot be parsed.
var ErrBadPath = errors.New("malformed field path")

// ParsePath parses a path in the audit's notation.
func ParsePath(s string) (Path, error) {
	bad := func(why string) (Path, error) { return nil, fmt.Errorf("%w %q: %s", ErrBadPath, s, why) }
	var p Path
	for i := 0; i < len(s); {
		switch s[i] {
		case '.':
			if i == 0 || i == len(s)-1 {
				return bad("stray dot")
			}
			i++
			continue
		case '[':
			end, step, err := parseBracket(s, i)
			if err != nil {
				return bad(err.Error())
			}
			p = append(p, step)
			i = end
			continue
		}
		j := i
		for j < len(s) && s[j] != '.' && s[j] != '[' {
			j++
		}
		p = append(p, Step{Key: s[i:j]})
		i = j
	}
	if len(p) == 0 {
		return bad("empty")
	}
	return p, nil
}

// parseBracket parses the bracket at s[i] and returns the index after it.
func parseBracket(s string, i int) (int, Step, error) {
	if i+1 < len(s) && s[i+1] == '"' {
		// A quoted key: a JSON string, then "]".
		dec := json.NewDecoder(strings.NewReader(s[i+1:]))
		var key string
		if err := dec.Decode(&key); err != nil {
			return 0, Step{}, errors.New("unterminated quoted key")
		}
		end := i + 1 + int(dec.InputOffset())
		if end >= len(s) || s[end] != ']' {
			return 0, Step{}, errors.New("quoted key without \"]\"")
		}
		return end + 1, Step{Key: key}, nil
	}
	close := strings.IndexByte(s[i:], ']')
	if close < 0 {
		return 0, Step{}, errors.New("unterminated \"[\"")
	}
	inner := s[i+1 : i+close]
	if field, value, ok := strings.Cut(inner, "="); ok {
		if field == "" {
			return 0, Step{}, errors.New("item without a key field")
		}
		return i + close + 1, Step{Item: true, Field: field, Value: value}, nil
	}
	n, err := strconv.Atoi(inner)
	if err != nil || n < 0 {
		return 0, Step{}, fmt.Errorf("%q is neither an index nor field=value", inner)
	}
	return i + close + 1, Step{Item: true, Index: n}, nil
}

// String renders the path in the audit's notation.
func (p Path) String() string {
	var b strings.Builder
	for i, s := range p {
		switch {
		case s.Item && s.Field != "":
			fmt.Fprintf(&b, "[%s=%s]", s.Field, s.Value)
		case s.Item:
			fmt.Fprintf(&b, "[%d]", s.Index)
		case plainKeyRE.MatchString(s.Key):
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Key)
		default:
			q, _ := json.Marshal(s.Key)
			fmt.Fprintf(&b, "[%s]", q)
		}
	}
	return b.String()
}

// Lookup returns the value at p in a JSON-like object (maps, lists,
// scalars), and whether it is there.
func (p Path) Lookup(obj any) (any, bool) {
	cur := obj
	for _, s := range p {
		if !s.Item {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[s.Key]; !ok {
				return nil, false
			}
			continue
		}
		l, ok := cur.([]any)
		if !ok {
			return nil, false
		}
		i := s.find(l)
		if i < 0 {
			return nil, false
		}
		cur = l[i]
	}
	return cur, true
}

// find returns the index of the item s designates in l, or -1.
func (s Step) find(l []any) int {
	if s.Field == "" {
		if s.Index < len(l) {
			return s.Index
		}
		return -1
	}
	for i, it := range l {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		if v, ok := m[s.Field]; ok && scalarText(v) == s.Value {
			return i
		}
	}
	return -1
}

// scalarText renders a scalar as the audit does in paths.
func scalarText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
