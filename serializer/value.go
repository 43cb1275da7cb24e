package serializer

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/clusterscribe/clusterscribe/internal/jsonvalue"
)

// valueError locates an unsupported value by its path in the object. It never
// carries the value itself, which may be secret.
type valueError struct {
	path []string // innermost last
	msg  string
}

func (e *valueError) Error() string {
	return fmt.Sprintf("%s at /%s", e.msg, strings.Join(e.path, "/"))
}

// within prefixes the error's path with one more outer token.
func within(err error, tok string) error {
	var ve *valueError
	if errors.As(err, &ve) {
		ve.path = append(ve.path, "")
		copy(ve.path[1:], ve.path)
		ve.path[0] = pointerEscaper.Replace(tok)
	}
	return err
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// copyJSON deep-copies a JSON-like value, converting every number to int64 or
// float64 so that the rest of the package sees one representation. Types that
// have no JSON form are an error (unlike runtime.DeepCopyJSONValue, which
// panics).
func copyJSON(v any) (any, error) { return jsonvalue.Copy(v, scalar, within) }

// scalar is copyJSON of a value that is not a map or a list.
func scalar(v any) (any, error) {
	switch v.(type) {
	case string, bool, nil, int64:
		return v, nil
	}
	return number(v)
}

// number converts the numeric types a hand-built object may hold.
func number(v any) (any, error) {
	if i, ok := jsonvalue.Int(v); ok {
		return i, nil
	}
	var f float64
	switch t := v.(type) {
	case uint, uint64: // beyond int64
		return nil, &valueError{msg: "unsigned integer out of int64 range"}
	case float32:
		f = float64(t)
	case float64:
		f = t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i, nil
		}
		var err error
		if f, err = t.Float64(); err != nil {
			return nil, &valueError{msg: "malformed number"}
		}
	default:
		return nil, &valueError{msg: fmt.Sprintf("unsupported value of type %T", v)}
	}
	return finite(f)
}

// finite accepts finite floats; negative zero becomes zero, as no JSON reader
// of the output would keep it.
func finite(f float64) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, &valueError{msg: "non-finite number"}
	}
	if f == 0 {
		return 0.0, nil
	}
	return f, nil
}
