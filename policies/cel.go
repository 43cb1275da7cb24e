package policies

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8sadmission "k8s.io/apiserver/pkg/admission"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/cel/environment"
)

// celSource is the CEL of one policy: the spec of a
// ValidatingAdmissionPolicy, or the source of a K8sNativeValidation
// template (as Gatekeeper turns it into one).
type celSource struct {
	file string
	// name names the policy in compile errors.
	name      string
	spec      admissionregistrationv1.ValidatingAdmissionPolicySpec
	hasParams bool
	// lineOf returns the file line of the node at path below the spec
	// (0 when unknown).
	lineOf func(path ...any) int
	// prefix is the path of the spec in its object, for messages.
	prefix string
	// hiddenVariables come before the file's own variables in
	// spec.Variables (Gatekeeper's).
	hiddenVariables int
}

// celProgram is CEL compiled by the API server's own compiler, evaluated
// by its validator with its cost limits.
type celProgram struct {
	validator validating.Validator
	hasParams bool
}

var (
	celEnvOnce sync.Once
	celEnv     *environment.EnvSet
)

// baseCELEnv is the environment the API server compiles stored
// ValidatingAdmissionPolicies with (its libraries, strict cost).
func baseCELEnv() *environment.EnvSet {
	celEnvOnce.Do(func() {
		celEnv = environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())
	})
	return celEnv
}

// compileCEL compiles the variables, match conditions, validations,
// message expressions and audit annotations of s as the API server's
// ValidatingAdmissionPolicy plugin does. An expression that does not
// compile is a *CompileError naming the file, its line and the
// expression.
func compileCEL(s celSource) (*celProgram, error) {
	vars := plugincel.OptionalVariableDeclarations{HasParams: s.hasParams, HasAuthorizer: true}
	msgVars := plugincel.OptionalVariableDeclarations{HasParams: s.hasParams}
	c, err := plugincel.NewCompositedCompiler(baseCELEnv())
	if err != nil {
		return nil, fmt.Errorf("%s: %s: cel environment: %w", s.file, s.name, err)
	}
	var errs CompileError
	check := func(res plugincel.CompilationResult, path []any) {
		if res.Error != nil {
			errs.Errors = append(errs.Errors, s.celError(res.ExpressionAccessor.GetExpression(), res.Error.Error(), path))
		}
	}
	spec := s.spec
	for i, v := range spec.Variables {
		check(c.CompileAndStoreVariable(&validating.Variable{Name: v.Name, Expression: v.Expression}, vars, environment.StoredExpressions),
			[]any{"variables", i, "expression"})
	}
	conds := make([]plugincel.ExpressionAccessor, len(spec.MatchConditions))
	for i := range spec.MatchConditions {
		conds[i] = (*matchconditions.MatchCondition)(&spec.MatchConditions[i])
		check(c.CompileCELExpression(conds[i], vars, environment.StoredExpressions), []any{"matchConditions", i, "expression"})
	}
	validations := make([]plugincel.ExpressionAccessor, len(spec.Validations))
	messages := make([]plugincel.ExpressionAccessor, len(spec.Validations))
	for i, v := range spec.Validations {
		validations[i] = &validating.ValidationCondition{Expression: v.Expression, Message: v.Message, Reason: v.Reason}
		check(c.CompileCELExpression(validations[i], vars, environment.StoredExpressions), []any{"validations", i, "expression"})
		if v.MessageExpression != "" {
			messages[i] = &validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}
			check(c.CompileCELExpression(messages[i], msgVars, environment.StoredExpressions), []any{"validations", i, "messageExpression"})
		}
	}
	annotations := make([]plugincel.ExpressionAccessor, len(spec.AuditAnnotations))
	for i, a := range spec.AuditAnnotations {
		annotations[i] = &validating.AuditAnnotationCondition{Key: a.Key, ValueExpression: a.ValueExpression}
		check(c.CompileCELExpression(annotations[i], vars, environment.StoredExpressions), []any{"auditAnnotations", i, "valueExpression"})
	}
	if len(errs.Errors) > 0 {
		return nil, &errs
	}
	var matcher matchconditions.Matcher
	if len(conds) > 0 {
		matcher = matchconditions.NewMatcher(c.CompileCondition(conds, vars, environment.StoredExpressions), spec.FailurePolicy, "policy", "validate", s.name)
	}
	v := validating.NewValidator(
		c.CompileCondition(validations, vars, environment.StoredExpressions),
		matcher,
		c.CompileCondition(annotations, vars, environment.StoredExpressions),
		c.CompileCondition(messages, msgVars, environment.StoredExpressions),
		spec.FailurePolicy,
		nil,
	)
	return &celProgram{validator: v, hasParams: s.hasParams}, nil
}

// celError locates a CEL compile error at its expression.
func (s celSource) celError(expr, msg string, path []any) RegoError {
	if len(path) > 1 && path[0] == "variables" {
		path = slices.Concat([]any{"variables", path[1].(int) - s.hiddenVariables}, path[2:])
	}
	return RegoError{
		File:    s.file,
		Line:    s.lineOf(path...),
		Col:     1,
		Message: fmt.Sprintf("%s: %s.%s: CEL expression %q: %s", s.name, s.prefix, pathPrefix(path), expr, oneLine(msg)),
	}
}

// celRequest is what one CEL evaluation sees besides params.
type celRequest struct {
	object, oldObject *unstructured.Unstructured
	gvk               schema.GroupVersionKind
	gvr               schema.GroupVersionResource
	namespace, name   string
	operation         k8sadmission.Operation
	userInfo          user.Info
	// ns is the object's namespace (its labels, when known).
	ns *corev1.Namespace
}

// celVerdict is what a CEL policy said about one request.
type celVerdict struct {
	messages []string
	// annotations are the published audit annotations, key=value.
	annotations []string
	err         error
}

// evaluate runs the program on one request with params (nil without).
func (p *celProgram) evaluate(ctx context.Context, r *celRequest, params runtime.Object) celVerdict {
	attr := k8sadmission.NewAttributesRecord(orNil(r.object), orNil(r.oldObject), r.gvk, r.namespace, r.name, r.gvr, "", r.operation, nil, false, r.userInfo)
	versioned := &k8sadmission.VersionedAttributes{
		Attributes:         attr,
		VersionedKind:      r.gvk,
		VersionedObject:    orNil(r.object),
		VersionedOldObject: orNil(r.oldObject),
	}
	res := p.validator.Validate(ctx, r.gvr, versioned, params, r.ns, celconfig.RuntimeCELCostBudget, nil)
	var out celVerdict
	var errs []string
	for _, d := range res.Decisions {
		switch d.Evaluation {
		case validating.EvalDeny:
			out.messages = append(out.messages, d.Message)
		case validating.EvalError:
			if d.Action == validating.ActionDeny {
				errs = append(errs, d.Message)
			}
		}
	}
	for _, a := range res.AuditAnnotations {
		switch a.Action {
		case validating.AuditAnnotationActionPublish:
			out.annotations = append(out.annotations, a.Key+"="+a.Value)
		case validating.AuditAnnotationActionError:
			errs = append(errs, fmt.Sprintf("audit annotation %s: %s", a.Key, a.Error))
		}
	}
	if len(errs) > 0 {
		out.err = fmt.Errorf("cel: %s", strings.Join(errs, "; "))
	}
	return out
}

// orNil keeps a nil *Unstructured from becoming a non-nil runtime.Object.
func orNil(u *unstructured.Unstructured) runtime.Object {
	if u == nil {
		return nil
	}
	return u
}

// celRequestOf is the request CEL sees for o: the admission request it
// came with, or a CREATE of it. Secret values are redacted, as for Rego.
func celRequestOf(o *object, nsLabels func(string) map[string]string) *celRequest {
	gvk := schema.GroupVersionKind{Group: o.group, Version: o.version, Kind: o.ref.Kind}
	gvr, _ := meta.UnsafeGuessKindToResource(gvk)
	r := &celRequest{
		object:    redactedCopy(o, o.content),
		gvk:       gvk,
		gvr:       gvr,
		namespace: o.ref.Namespace,
		name:      o.ref.Name,
		operation: k8sadmission.Create,
	}
	if a := o.admission; a != nil {
		r.operation = k8sadmission.Operation(a.operation)
		r.oldObject = redactedCopy(o, a.oldObject)
		r.userInfo = a.userInfo
		if a.operation == string(k8sadmission.Delete) {
			// The object under review on DELETE is the old one.
			r.oldObject, r.object = r.object, nil
		}
	}
	if r.namespace != "" {
		r.ns = &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: r.namespace, Labels: nsLabels(r.namespace)}}
	}
	return r
}

// redactedCopy is u as policies may see it: a Secret's values redacted.
func redactedCopy(o *object, u *unstructured.Unstructured) *unstructured.Unstructured {
	if u == nil {
		return nil
	}
	if o.group == "" && o.ref.Kind == "Secret" {
		return &unstructured.Unstructured{Object: redactSecret(u.Object)}
	}
	return u
}

// celPolicy is a policy evaluated with CEL: a K8sNativeValidation
// Constraint, or a ValidatingAdmissionPolicy with one of its bindings.
type celPolicy struct {
	program *celProgram
	// params returns the param objects o is evaluated with: one nil
	// entry without params, none to leave o alone. An error of type
	// *celDenial is a violation, any other an evaluation error.
	params func(o *object) ([]runtime.Object, error)
}

// celDenial is a request denied before any expression ran (a binding
// whose params cannot be found and whose parameterNotFoundAction is Deny).
type celDenial struct{ message string }

func (d *celDenial) Error() string { return d.message }

// evaluate evaluates the policy on o, within timeout: the messages of
// the validations that failed, each followed by the audit annotations the
// policy published.
func (c *celPolicy) evaluate(ctx context.Context, o *object, nsLabels func(string) map[string]string, timeout time.Duration) ([]string, error) {
	params, err := c.params(o)
	var denial *celDenial
	if errors.As(err, &denial) {
		return []string{denial.message}, nil
	}
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req := celRequestOf(o, nsLabels)
	var msgs []string
	for _, p := range params {
		v := c.program.evaluate(ctx, req, p)
		if v.err != nil {
			if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("%w after %s", errTimeout, timeout)
			}
			return nil, v.err
		}
		for _, m := range v.messages {
			if len(v.annotations) > 0 {
				m += " (audit annotations: " + strings.Join(v.annotations, ", ") + ")"
			}
			msgs = append(msgs, m)
		}
	}
	return msgs, nil
}
