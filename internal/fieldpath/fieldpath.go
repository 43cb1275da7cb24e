// Package fieldpath owns the notation of a field inside an object, as the
// audit reports changed fields and propose edits them:
// spec.template.spec.containers[name=web].image,
// metadata.labels["app.kubernetes.io/name"], rules[0].verbs. A path is a
// list of steps (a map key, or a list item found by the value of one of
// its fields or, without a field, by position); it is parsed, rendered and
// looked up in a JSON-like value (maps, lists, scalars) here only.
package fieldpath

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
	// Index is the item's position (in the list the path was taken from,
	// when Field finds it).
	Index int
}

// Path addresses a field of an object.
type Path []Step

// Key returns p extended by a map key (a new slice: paths never share
// backing arrays).
func (p Path) Key(k string) Path {
	return append(p[:len(p):len(p)], Step{Key: k})
}

// Item returns p extended by a list item at index, found by the value of
// field when field is not empty.
func (p Path) Item(index int, field string, value any) Path {
	s := Step{Item: true, Index: index}
	if field != "" {
		s.Field, s.Value = field, Text(value)
	}
	return append(p[:len(p):len(p)], s)
}

// ErrBadPath is returned for a path that cannot be parsed.
var ErrBadPath = errors.New("malformed field path")

// Parse parses a path in the notation String writes.
func Parse(s string) (Path, error) {
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
	closing := strings.IndexByte(s[i:], ']')
	if closing < 0 {
		return 0, Step{}, errors.New("unterminated \"[\"")
	}
	inner := s[i+1 : i+closing]
	if field, value, ok := strings.Cut(inner, "="); ok {
		if field == "" {
			return 0, Step{}, errors.New("item without a key field")
		}
		return i + closing + 1, Step{Item: true, Field: field, Value: value}, nil
	}
	n, err := strconv.Atoi(inner)
	if err != nil || n < 0 {
		return 0, Step{}, fmt.Errorf("%q is neither an index nor field=value", inner)
	}
	return i + closing + 1, Step{Item: true, Index: n}, nil
}

var plainKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// String renders the path: a plain key after a dot, any other key quoted
// in brackets, an item as [field=value] or [index].
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
// scalars), and whether it is there. A null is there, holding nil, whether
// it is a map's value or a list's item.
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
		i := s.Find(l)
		if i < 0 {
			return nil, false
		}
		cur = l[i]
	}
	return cur, true
}

// Find returns the index of the item s designates in l, or -1.
func (s Step) Find(l []any) int {
	if s.Field == "" {
		if s.Index >= 0 && s.Index < len(l) {
			return s.Index
		}
		return -1
	}
	for i, it := range l {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		if v, ok := m[s.Field]; ok && Text(v) == s.Value {
			return i
		}
	}
	return -1
}

// Text renders a scalar as a path shows it: a string as it is, anything
// else as JSON.
func Text(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case int64:
		return strconv.FormatInt(t, 10)
	case bool:
		return strconv.FormatBool(t)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
