package policies

import (
	"context"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// ExceptionsAnnotation excepts an object from policies on purpose, with a
// reason: "rbac-wildcard=reads every kind to back it up". Entries are
// separated by newlines or ";"; one entry may name several policy ids
// separated by commas ("host-network,host-pid=the node agent"). A policy
// that fires on an excepted object gives findings with Outcome exception
// and the reason, counted in PolicyStat.Excepted: shown in every report,
// failing nothing. Every policy honours it, by id.
const ExceptionsAnnotation = "policy.clusterscribe.io/exceptions"

// exceptionRule is the rule of a conftest package that excepts objects
// from the package's deny, warn and violation rules, as conftest reads it:
// a set of arrays of rule names (deny_foo is "foo", deny alone is "").
const exceptionRule = "exception"

// conftestException is how a conftest policy asks its package whether the
// input is excepted from it.
type conftestException struct {
	query rego.PreparedEvalQuery
	// name is the rule's name as exception rules list it.
	name string
	// reason is what the finding says.
	reason string
}

// conftestRuleName is the name conftest matches exception rules against:
// the rule without its deny, warn or violation prefix.
func conftestRuleName(rule string) string {
	for _, prefix := range []string{"violation", "deny", "warn"} {
		if rest, ok := strings.CutPrefix(rule, prefix); ok {
			return strings.TrimPrefix(rest, "_")
		}
	}
	return rule
}

// hasExceptionRule reports whether a module defines the exception rule.
func hasExceptionRule(m *ast.Module) bool {
	for _, r := range m.Rules {
		if ref := r.Head.Ref(); len(ref) == 1 && ref[0].Value.Compare(ast.Var(exceptionRule)) == 0 {
			return true
		}
	}
	return false
}

// prepareConftestException compiles the query of the exception rule of
// cp's package.
func (l *loader) prepareConftestException(ctx context.Context, c *ast.Compiler, cp *conftestPolicy, srcs sources) (*conftestException, error) {
	ref := cp.pkg.Append(ast.StringTerm(exceptionRule))
	q, err := l.prepare(ctx, c, ast.NewTerm(ref), srcs)
	if err != nil {
		return nil, err
	}
	return &conftestException{query: q, name: conftestRuleName(cp.rule), reason: "excepted by " + ref.String()}, nil
}

// excepted evaluates the exception rule on the input: the reason when it
// lists the policy's rule, "" otherwise.
func (e *Engine) excepted(ctx context.Context, p *policy, in ast.Value) (string, error) {
	x := p.exception
	rs, err := e.eval(ctx, x.query, in)
	if err != nil {
		return "", p.runtimeError(err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return "", nil
	}
	set, _ := rs[0].Expressions[0].Value.(ast.Set)
	if set == nil {
		return "", nil
	}
	want := ast.String(x.name)
	found := false
	set.Until(func(t *ast.Term) bool {
		arr, _ := t.Value.(*ast.Array)
		if arr == nil {
			return false
		}
		arr.Until(func(n *ast.Term) bool {
			found = n.Value.Compare(want) == 0
			return found
		})
		return found
	})
	if !found {
		return "", nil
	}
	return x.reason, nil
}

// applyConftestExceptions marks the results of o whose conftest package
// excepts o: only rules that fired are asked.
func (e *Engine) applyConftestExceptions(ctx context.Context, in ast.Value, results []result) {
	for i := range results {
		r := &results[i]
		p := e.policies[r.policy]
		if p.exception == nil || r.err != nil || len(r.messages) == 0 {
			continue
		}
		r.exception, r.err = e.excepted(ctx, p, in)
	}
}

// objectExceptions parses the ExceptionsAnnotation of an object: policy id
// -> reason. A malformed annotation is an error, and excepts nothing.
func objectExceptions(o *object) (map[string]string, error) {
	v, ok := o.content.GetAnnotations()[ExceptionsAnnotation]
	if !ok {
		return nil, nil
	}
	out, err := ParseExceptions(v)
	if err != nil {
		return nil, fmt.Errorf("%s: annotation %s: %w", o, ExceptionsAnnotation, err)
	}
	return out, nil
}

// ParseExceptions parses the value of ExceptionsAnnotation into policy id
// -> reason.
func ParseExceptions(s string) (map[string]string, error) {
	out := map[string]string{}
	for entry := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == '\n' || r == ';' }) {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		ids, reason, ok := strings.Cut(entry, "=")
		reason = strings.TrimSpace(reason)
		if !ok || reason == "" {
			return nil, fmt.Errorf("%q: want POLICY-ID[,POLICY-ID...]=REASON (every exception says why)", entry)
		}
		for id := range strings.SplitSeq(ids, ",") {
			id = strings.TrimSpace(id)
			if id == "" || strings.ContainsAny(id, " \t") {
				return nil, fmt.Errorf("%q: %q is not a policy id (see `clusterscribe policy list`)", entry, id)
			}
			out[id] = reason
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%q: no exception; want POLICY-ID[,POLICY-ID...]=REASON", s)
	}
	return out, nil
}

// objectProblem is a problem with one object: at its file and line when it
// was read from one.
func objectProblem(o *object, err error) findings.Problem {
	src := findings.Source{File: o.String()}
	if o.source != nil {
		src = *o.source
	}
	return findings.Problem{Source: src, Message: err.Error()}
}
