// Package policies holds the bundled Rego policy set, loads user policies
// and evaluates them with OPA (as a library), producing findings of type
// findings.Policy.
//
// Load compiles everything once: the bundled set (embedded from bundled/,
// one package per policy under clusterscribe.bundled, each with a deny rule
// and its opa-test style tests in *_test.rego next to it) and the user's
// policy directories, in two dialects:
//
//   - conftest style: .rego files (v1, or v0 for older policies) in any
//     package; deny, warn and violation rules (and deny_<name> forms) are
//     policies. The input is the object. A # METADATA block on the package
//     or the rule may set title, description and custom id, severity,
//     remediation, controls ({framework, id, title} or "FRAMEWORK:ID"),
//     match (a Gatekeeper match block; kinds may be "workloads").
//   - Gatekeeper style: ConstraintTemplate and Constraint YAML, evaluated
//     offline with Gatekeeper's contract: input.review (an admission request
//     creating the object), input.parameters, violation[{"msg": ...}], the
//     Constraint's match block (kinds, namespaces, excludedNamespaces,
//     labelSelector, namespaceSelector, scope, name) and enforcementAction,
//     libs under data.lib, and data.inventory. Templates of the public
//     Gatekeeper library work unmodified. A Constraint may describe itself
//     with the policy.clusterscribe.io/{severity,remediation,controls,title}
//     annotations.
//
// CEL is evaluated by the API server's own packages (k8s.io/apiserver's
// ValidatingAdmissionPolicy compiler, validator and matcher, with its cost
// limits), in two forms:
//
//   - Gatekeeper K8sNativeValidation templates: the code's validations,
//     matchConditions and variables, with Gatekeeper's variables.params
//     (the Constraint's parameters) and variables.anyObject; a template
//     with both engines is judged by its CEL, as Gatekeeper does.
//   - ValidatingAdmissionPolicy with its bindings: one policy per binding,
//     matched by matchConstraints and the binding's matchResources, params
//     found among the other objects of the policy directories, and
//     validationActions mapped to outcome and severity (Deny fails, high;
//     Warn warns, medium; Audit warns, low).
//
// Rego that does not parse or compile makes Load fail with a *CompileError
// locating each error at file:line:col (inside the YAML file for templates),
// and so does a CEL expression, at its file and line, naming it; nothing
// is evaluated. Built-ins that reach outside the objects (http.send,
// net.lookup_ip_addr, opa.runtime) are refused.
//
// Evaluate (live state) and EvaluateManifests (files read by ReadManifests)
// evaluate every policy on every object its match selects. The objects
// evaluated together are the inventory cross-object policies read, shaped
// as Gatekeeper syncs it: data.inventory.cluster[groupVersion][kind][name]
// and data.inventory.namespace[namespace][groupVersion][kind][name]; it
// holds the kinds the compiled rules reference (all of them when a
// reference cannot be pinned down). Secret values are redacted before any
// policy sees them, so none can reach a report. One policy on one object is
// bounded by Options.Timeout; a policy that errs or runs out of time on an
// object gives an Outcome=error finding for that object and the run goes
// on.
//
// Evaluation is built for clusters of tens of thousands of objects: each
// query is prepared once; an object is converted for OPA only when a policy
// matches it (or the inventory holds it), evaluated by one query over the
// bundled policies that match it, on as many objects at once as there are
// CPUs. Judges tells callers which kinds they may leave out altogether.
//
// The bundled policies are parameterized by Params (registry allow-list,
// required labels, allowed capabilities, excluded namespaces), which they
// read from data.clusterscribe.params.
package policies
