package policies

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown/print"
)

// CompileError is Rego that does not parse or compile. Nothing is
// evaluated when Load returns one.
type CompileError struct {
	Errors []RegoError
}

// RegoError is one parse or compile error, located in the user's file.
type RegoError struct {
	File    string
	Line    int
	Col     int
	Message string
}

func (e RegoError) String() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
	}
	return loc + ": " + e.Message
}

func (e *CompileError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, r := range e.Errors {
		parts[i] = r.String()
	}
	return strings.Join(parts, "\n")
}

// gather adds the errors of err to e when err is a *CompileError and
// reports whether it was one; any other error is the caller's.
func (e *CompileError) gather(err error) bool {
	var ce *CompileError
	if !errors.As(err, &ce) {
		return false
	}
	e.Errors = append(e.Errors, ce.Errors...)
	return true
}

// refusedBuiltins reach outside the evaluated objects (network, the
// process environment); policies are evaluated offline and
// deterministically, as Gatekeeper does.
var refusedBuiltins = []string{"http.send", "net.lookup_ip_addr", "opa.runtime"}

// capabilities are OPA's built-ins without refusedBuiltins.
func capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = slices.DeleteFunc(caps.Builtins, func(b *ast.Builtin) bool {
		return slices.Contains(refusedBuiltins, b.Name)
	})
	return caps
}

// regoVersion selects how a module is parsed.
type regoVersion int

const (
	// regoAuto tries Rego v1, then v0 (for conftest-era and Gatekeeper
	// library policies).
	regoAuto regoVersion = iota
	regoV0
	regoV1
)

// position maps a module's rows and columns to its place in a file (Rego
// embedded in YAML starts further down and further right).
type position struct {
	file       string
	lineOffset int
	colOffset  int
}

// sources keeps the positions of the modules of one compiler, keyed by
// module name.
type sources map[string]position

func (s sources) locate(loc *ast.Location) (string, int, int) {
	if loc == nil {
		return "", 0, 0
	}
	p, ok := s[loc.File]
	if !ok {
		return loc.File, loc.Row, loc.Col
	}
	return p.file, loc.Row + p.lineOffset, loc.Col + p.colOffset
}

func (s sources) compileError(errs ast.Errors) *CompileError {
	ce := &CompileError{}
	for _, e := range errs {
		file, line, col := s.locate(e.Location)
		ce.Errors = append(ce.Errors, RegoError{File: file, Line: line, Col: col, Message: e.Code + ": " + e.Message})
	}
	return ce
}

// parseModule parses one Rego module named name (the key into sources).
func (s sources) parseModule(name, src string, v regoVersion) (*ast.Module, error) {
	parse := func(rv ast.RegoVersion) (*ast.Module, error) {
		return ast.ParseModuleWithOpts(name, src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: rv})
	}
	var m *ast.Module
	var err error
	switch v {
	case regoV0:
		m, err = parse(ast.RegoV0)
	case regoV1:
		m, err = parse(ast.RegoV1)
	default:
		m, err = parse(ast.RegoV1)
		if err != nil {
			m0, err0 := parse(ast.RegoV0)
			if err0 == nil {
				return m0, nil
			}
			// Report the error of the parse that got further: a v0 module
			// fails the v1 parse at its first rule body.
			if furthest(err0) > furthest(err) {
				err = err0
			}
		}
	}
	if err != nil {
		var errs ast.Errors
		if errors.As(err, &errs) {
			return nil, s.compileError(errs)
		}
		return nil, s.compileError(ast.Errors{ast.NewError(ast.ParseErr, nil, "%s", err.Error())})
	}
	if m == nil {
		file, _, _ := s.locate(&ast.Location{File: name})
		return nil, &CompileError{Errors: []RegoError{{File: file, Message: "empty module: no package"}}}
	}
	return m, nil
}

func furthest(err error) int {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return 0
	}
	max := 0
	for _, e := range errs {
		if e.Location != nil && e.Location.Offset > max {
			max = e.Location.Offset
		}
	}
	return max
}

// compile compiles the modules of one policy set.
func (s sources) compile(modules map[string]*ast.Module) (*ast.Compiler, error) {
	c := ast.NewCompiler().
		WithCapabilities(capabilities()).
		WithEnablePrintStatements(true)
	c.Compile(modules)
	if c.Failed() {
		return nil, s.compileError(c.Errors)
	}
	return c, nil
}

// printHook sends print() output of policies to the debug log.
type printHook struct {
	log  *slog.Logger
	srcs sources
}

func (h printHook) Print(ctx print.Context, msg string) error {
	file, line, _ := h.srcs.locate(ctx.Location)
	h.log.Debug("policy print", "file", file, "line", line, "message", msg)
	return nil
}
