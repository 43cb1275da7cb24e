package policies

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// admissionGroup is the API group of AdmissionReview.
const admissionGroup = "admission.k8s.io"

// Request is one admission request to review, as a Gatekeeper policy sees
// it in input.review: the operation, the object (the new state), the old
// object (UPDATE, DELETE) and who asked.
type Request struct {
	// Operation is CREATE, UPDATE, DELETE or CONNECT (default CREATE).
	Operation string
	// Object is the object admitted; nil on DELETE, where OldObject is
	// reviewed in its place, as Gatekeeper does.
	Object *unstructured.Unstructured
	// OldObject is the object before an UPDATE or DELETE.
	OldObject *unstructured.Unstructured
	// UserInfo is the request's userInfo (username, uid, groups, extra).
	UserInfo map[string]any
	// Source is where the request was read, for findings.
	Source *findings.Source
	// extra holds the request's other fields (uid, resource, dryRun,
	// options...), passed to policies as they are.
	extra map[string]any
}

// IsAdmissionReview reports whether u is an AdmissionReview (of group
// admission.k8s.io, any version).
func IsAdmissionReview(u *unstructured.Unstructured) bool {
	gvk := u.GroupVersionKind()
	return gvk.Kind == "AdmissionReview" && gvk.Group == admissionGroup
}

// RequestFromAdmissionReview reads the request of an AdmissionReview. It
// must hold an object or an oldObject, each with apiVersion and kind.
func RequestFromAdmissionReview(u *unstructured.Unstructured) (Request, error) {
	req, ok := u.Object["request"].(map[string]any)
	if !ok {
		return Request{}, errors.New("AdmissionReview: request is missing: give request.operation and request.object (or oldObject)")
	}
	r := Request{extra: map[string]any{}}
	for k, v := range req {
		switch k {
		case "operation":
			s, ok := v.(string)
			if !ok {
				return Request{}, fmt.Errorf("AdmissionReview: request.operation: want a string, got %T", v)
			}
			r.Operation = s
		case "object", "oldObject":
			if v == nil {
				continue
			}
			m, ok := v.(map[string]any)
			if !ok {
				return Request{}, fmt.Errorf("AdmissionReview: request.%s: want an object, got %T", k, v)
			}
			o := &unstructured.Unstructured{Object: m}
			if o.GetAPIVersion() == "" || o.GetKind() == "" {
				return Request{}, fmt.Errorf("AdmissionReview: request.%s: apiVersion and kind are required", k)
			}
			if k == "object" {
				r.Object = o
			} else {
				r.OldObject = o
			}
		case "userInfo":
			m, ok := v.(map[string]any)
			if !ok {
				return Request{}, fmt.Errorf("AdmissionReview: request.userInfo: want an object, got %T", v)
			}
			r.UserInfo = m
		default:
			r.extra[k] = v
		}
	}
	if r.Object == nil && r.OldObject == nil {
		return Request{}, errors.New(`AdmissionReview: request holds neither "object" nor "oldObject" to review`)
	}
	if !slices.Contains([]string{"", "CREATE", "UPDATE", "DELETE", "CONNECT"}, r.Operation) {
		return Request{}, fmt.Errorf("AdmissionReview: request.operation %q is not one of CREATE, UPDATE, DELETE, CONNECT", r.Operation)
	}
	return r, nil
}

// reviewed is the object a request puts under review: the object, or on
// DELETE the old object.
func (r Request) reviewed() *unstructured.Unstructured {
	if r.Object != nil {
		return r.Object
	}
	return r.OldObject
}

// Review evaluates every policy whose match selects the request's object
// on that request, as Gatekeeper's admission webhook would. inventory is
// what data.inventory holds (the object under review is not in it unless
// listed there). Policy findings are returned in policy order; a policy
// that errs gives an error finding and a problem.
func (e *Engine) Review(ctx context.Context, req Request, inventory []*unstructured.Unstructured) ([]findings.Finding, []findings.Problem, error) {
	o, err := newObject(req.reviewed(), req.Source)
	if err != nil {
		return nil, nil, fmt.Errorf("review: %w", err)
	}
	if o.admission, err = newAdmission(req); err != nil {
		return nil, nil, fmt.Errorf("review: %w", err)
	}
	invObjs := make([]*object, len(inventory))
	for i, u := range inventory {
		if invObjs[i], err = newObject(u, nil); err != nil {
			return nil, nil, fmt.Errorf("review: inventory object %d: %w", i, err)
		}
	}
	fs, _, problems, err := e.evaluateWith(ctx, []*object{o}, invObjs, false)
	if err != nil {
		return nil, nil, fmt.Errorf("review: %w", err)
	}
	return fs, problems, nil
}

// admission is what a request adds to input.review beyond the object.
type admission struct {
	operation string
	old       ast.Value
	extra     ast.Object
	// oldObject and userInfo are the request's, for CEL.
	oldObject *unstructured.Unstructured
	userInfo  user.Info
}

func newAdmission(req Request) (*admission, error) {
	a := &admission{operation: req.Operation, userInfo: userInfoOf(req.UserInfo)}
	if a.operation == "" {
		a.operation = "CREATE"
	}
	if req.OldObject != nil && req.Object != nil {
		a.oldObject = req.OldObject
		old, err := newObject(req.OldObject, nil)
		if err != nil {
			return nil, fmt.Errorf("oldObject: %w", err)
		}
		if a.old, err = old.convert(); err != nil {
			return nil, fmt.Errorf("oldObject: %w", err)
		}
	}
	extra := map[string]any{}
	for k, v := range req.extra {
		extra[k] = v
	}
	if req.UserInfo != nil {
		extra["userInfo"] = req.UserInfo
	}
	v, err := ast.InterfaceToValue(extra)
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	a.extra, _ = v.(ast.Object)
	return a, nil
}

// reviewValue is input.review of an object under an admission request:
// the request's own fields, then the object's kind, name and namespace,
// the operation, the object and, on UPDATE, the old object.
func (a *admission) reviewValue(base ast.Object, value ast.Value) ast.Value {
	out := a.extra.Copy()
	base.Foreach(func(k, v *ast.Term) { out.Insert(k, v) })
	out.Insert(ast.StringTerm("operation"), ast.StringTerm(a.operation))
	if a.old != nil {
		out.Insert(ast.StringTerm("oldObject"), ast.NewTerm(a.old))
	}
	if a.operation == "DELETE" {
		// Gatekeeper reviews the old object on DELETE, and keeps it as
		// oldObject too.
		out.Insert(ast.StringTerm("oldObject"), ast.NewTerm(value))
	}
	return out
}

// userInfoOf reads an AdmissionReview's userInfo (username, uid, groups,
// extra) for CEL's request.userInfo.
func userInfoOf(m map[string]any) user.Info {
	info := &user.DefaultInfo{}
	if m == nil {
		return info
	}
	info.Name, _ = m["username"].(string)
	info.UID, _ = m["uid"].(string)
	if groups, ok := m["groups"].([]any); ok {
		for _, g := range groups {
			if s, ok := g.(string); ok {
				info.Groups = append(info.Groups, s)
			}
		}
	}
	if extra, ok := m["extra"].(map[string]any); ok {
		info.Extra = map[string][]string{}
		for k, v := range extra {
			vs, _ := v.([]any)
			for _, x := range vs {
				if s, ok := x.(string); ok {
					info.Extra[k] = append(info.Extra[k], s)
				}
			}
		}
	}
	return info
}
