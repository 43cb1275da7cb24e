package policies

import (
	"fmt"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
)

var msgKey = ast.StringTerm("msg")

// decodeValue reads the value of a rule as decodeMessages does, without
// converting the usual shapes (sets of strings or of objects with a "msg"
// string) to Go values first.
func decodeValue(v ast.Value) ([]string, error) {
	var out []string
	add := func(t *ast.Term) bool {
		switch m := t.Value.(type) {
		case ast.String:
			out = append(out, string(m))
			return true
		case ast.Object:
			if mt := m.Get(msgKey); mt != nil {
				if msg, ok := mt.Value.(ast.String); ok {
					out = append(out, string(msg))
					return true
				}
			}
		}
		return false
	}
	ok := true
	switch t := v.(type) {
	case nil:
		return nil, nil
	case ast.Null:
		return nil, nil
	case ast.Boolean:
		if !t {
			return nil, nil
		}
		return []string{"policy rule fired"}, nil
	case ast.Set:
		out = make([]string, 0, t.Len())
		t.Until(func(x *ast.Term) bool {
			ok = add(x)
			return !ok
		})
	case *ast.Array:
		out = make([]string, 0, t.Len())
		t.Until(func(x *ast.Term) bool {
			ok = add(x)
			return !ok
		})
	default:
		ok = add(ast.NewTerm(v))
	}
	if !ok {
		// An unusual shape: the error names the value as Go prints it.
		x, err := ast.JSON(v)
		if err != nil {
			return nil, err
		}
		return decodeMessages(x)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// decodeMessages reads the value of a deny/warn/violation rule: a set (or
// array) of strings or of objects with a "msg" string, as conftest and
// Gatekeeper produce; true and a lone string or object are accepted too.
func decodeMessages(v any) ([]string, error) {
	var items []any
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []any:
		items = t
	case bool:
		if !t {
			return nil, nil
		}
		return []string{"policy rule fired"}, nil
	default:
		items = []any{t}
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		switch m := it.(type) {
		case string:
			out = append(out, m)
		case map[string]any:
			msg, ok := m["msg"].(string)
			if !ok {
				return nil, fmt.Errorf("rule result %v has no \"msg\" string", shorten(it))
			}
			out = append(out, msg)
		default:
			return nil, fmt.Errorf("rule result %v is neither a string nor an object with \"msg\"", shorten(it))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func shorten(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}
