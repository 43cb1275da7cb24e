package policies

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
)

// TestDecodeValue checks that reading rule values as OPA values gives the
// messages, and the errors, that reading them as Go values gives.
func TestDecodeValue(t *testing.T) {
	for _, src := range []string{
		`{"b", "a", "b"}`,
		`["x", "y"]`,
		`{{"msg": "m1", "details": {}}, {"msg": "m0"}}`,
		`{"plain", {"msg": "object"}}`,
		`"alone"`,
		`{"msg": "lone object"}`,
		`true`,
		`false`,
		`null`,
		`set()`,
		`[]`,
		`{"ok", 3}`,
		`{{"message": "no msg"}}`,
		`{{"msg": 1}}`,
		`42`,
		`{"a": 1}`,
	} {
		t.Run(src, func(t *testing.T) {
			v := ast.MustParseTerm(src).Value
			gotMsgs, gotErr := decodeValue(v)
			x, err := ast.JSON(v)
			if err != nil {
				t.Fatal(err)
			}
			wantMsgs, wantErr := decodeMessages(x)
			if diff := cmp.Diff(wantMsgs, gotMsgs); diff != "" {
				t.Errorf("messages (-Go values +OPA values):\n%s", diff)
			}
			if errString(wantErr) != errString(gotErr) {
				t.Errorf("error = %v, want %v", gotErr, wantErr)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
