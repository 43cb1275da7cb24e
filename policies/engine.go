package policies

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// Engine holds compiled policies. Evaluate may be called many times; calls
// are serialized (each one installs its own inventory).
type Engine struct {
	policies []*policy
	// needs says which objects data.inventory holds.
	needs       *inventoryNeeds
	store       storage.Store
	timeout     time.Duration
	parallelism int
	// passes records the objects each policy passed.
	passes bool
	// expansions are the ExpansionTemplates of the policy directories.
	expansions []*expansionTemplate
	// setName, setVersion and setSources describe the policy set.
	setName, setVersion string
	setSources          []string
	mu                  sync.Mutex
}

// policy is one compiled policy.
type policy struct {
	Policy
	match *compiledMatch
	query rego.PreparedEvalQuery
	// parameters is set for Gatekeeper constraints: the input is
	// {"review": ..., "parameters": parameters} instead of the object.
	parameters ast.Value
	srcs       sources
	// ref is the rule the query evaluates.
	ref ast.Ref
	// batch, when set, evaluates this policy together with others; slot
	// is its place among them.
	batch *batch
	slot  int
	// exception, when set, asks the policy's conftest package whether an
	// object is excepted from it.
	exception *conftestException
	// cel, when set, evaluates the policy in place of query.
	cel *celPolicy
}

// Policies describes the loaded policies, in evaluation order.
func (e *Engine) Policies() []Policy {
	out := make([]Policy, len(e.policies))
	for i, p := range e.policies {
		out[i] = p.Policy
	}
	return out
}

// Judges reports whether objects of apiVersion and kind can make a
// difference to an evaluation: some policy's match may select them, or
// some policy reads them from data.inventory. Objects of other kinds can
// be left out of Evaluate without changing its results.
func (e *Engine) Judges(apiVersion, kind string) bool {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return true
	}
	for _, p := range e.policies {
		if p.match.matchesKind(gv.Group, kind) {
			return true
		}
	}
	for _, et := range e.expansions {
		if et.appliesTo(gv.WithKind(kind)) && e.Judges(et.generated.GroupVersion().String(), et.generated.Kind) {
			return true
		}
	}
	return e.needs.wants(apiVersion, kind)
}

// Load compiles the bundled policies (unless NoBundled) and the policies in
// opts.Dirs. Rego that does not parse or compile gives a *CompileError
// (file:line:col of each error); a bad Constraint or metadata block, an
// error naming the file.
func Load(ctx context.Context, opts Options) (*Engine, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	store := inmem.NewWithOpts(inmem.OptRoundTripOnWrite(false), inmem.OptReturnASTValuesOnRead(true))
	params, err := ast.InterfaceToValue(opts.Params.document())
	if err != nil {
		return nil, fmt.Errorf("load policies: params: %w", err)
	}
	root := ast.NewObject(
		ast.Item(ast.StringTerm("clusterscribe"), ast.ObjectTerm(ast.Item(ast.StringTerm("params"), ast.NewTerm(params)))),
		ast.Item(ast.StringTerm("inventory"), ast.NewTerm((&inventory{}).value())),
	)
	if err := storage.WriteOne(ctx, store, storage.ReplaceOp, storage.RootPath, root); err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	e := &Engine{store: store, timeout: opts.Timeout, parallelism: opts.Parallelism, passes: !opts.OmitPasses}
	if e.setName, e.setVersion, e.setSources, err = describeSet(opts); err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	l := &loader{store: store, log: opts.Logger}
	if !opts.NoBundled {
		ps, err := l.bundled(ctx, opts.Params)
		if err != nil {
			return nil, fmt.Errorf("load bundled policies: %w", err)
		}
		e.policies = append(e.policies, ps...)
	}
	ps, err := l.user(ctx, opts.Dirs)
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	e.policies = append(e.policies, ps...)
	e.needs = &l.needs
	e.expansions = l.expansions
	seen := map[string]string{}
	for _, p := range e.policies {
		if prev, ok := seen[p.ID]; ok {
			return nil, fmt.Errorf("load policies: policy id %q is defined twice: %s and %s", p.ID, prev, p.File)
		}
		seen[p.ID] = p.File
	}
	return e, nil
}

// loader compiles policies against one store.
type loader struct {
	store storage.Store
	log   *slog.Logger
	// needs collects what the compiled modules read from data.inventory.
	needs inventoryNeeds
	seen  map[*ast.Compiler]bool
	// expansions are the ExpansionTemplates read.
	expansions []*expansionTemplate
}

// prepare compiles a query of one term (a rule's ref, or an array of
// them), and notes what c's modules read from the inventory.
func (l *loader) prepare(ctx context.Context, c *ast.Compiler, term *ast.Term, srcs sources) (rego.PreparedEvalQuery, error) {
	if !l.seen[c] {
		if l.seen == nil {
			l.seen = map[*ast.Compiler]bool{}
		}
		l.seen[c] = true
		l.needs.addCompiler(c)
	}
	return prepareQuery(ctx, l.store, l.log, c, term, srcs)
}

// prepareQuery compiles a query of one term against store.
func prepareQuery(ctx context.Context, store storage.Store, log *slog.Logger, c *ast.Compiler, term *ast.Term, srcs sources) (rego.PreparedEvalQuery, error) {
	pq, err := rego.New(
		rego.Compiler(c),
		rego.Store(store),
		rego.ParsedQuery(ast.NewBody(ast.NewExpr(term))),
		rego.EnablePrintStatements(true),
		rego.PrintHook(printHook{log: log, srcs: srcs}),
	).PrepareForEval(ctx)
	if err != nil {
		return pq, fmt.Errorf("prepare %s: %w", term, err)
	}
	return pq, nil
}

// Evaluate evaluates every policy on every object it matches. The objects
// are also the inventory cross-object policies see (data.inventory). live
// marks the findings as live (true) or declared (false) state.
//
// A policy that fails at run time on an object, or runs past the timeout,
// gives an error finding for that object and a problem naming the policy;
// the rest of the run continues. err is set only when ctx ends or an
// object cannot be read at all.
func (e *Engine) Evaluate(ctx context.Context, objs []*unstructured.Unstructured, live bool) ([]findings.Finding, []findings.PolicyStat, []findings.Problem, error) {
	in := make([]input, len(objs))
	for i, u := range objs {
		in[i] = input{obj: u}
	}
	return e.evaluate(ctx, in, live)
}

// EvaluateManifests evaluates objects read from files (declared state);
// findings point at the file and line of their object.
func (e *Engine) EvaluateManifests(ctx context.Context, ms []Manifest) ([]findings.Finding, []findings.PolicyStat, []findings.Problem, error) {
	in := make([]input, len(ms))
	for i, m := range ms {
		in[i] = input{obj: m.Object, source: &ms[i].Source, request: m.Request}
	}
	return e.evaluate(ctx, in, false)
}

type input struct {
	obj    *unstructured.Unstructured
	source *findings.Source
	// request, when set, is the admission request obj came with.
	request *Request
}

func (e *Engine) evaluate(ctx context.Context, in []input, live bool) ([]findings.Finding, []findings.PolicyStat, []findings.Problem, error) {
	objs := make([]*object, len(in))
	for i, x := range in {
		o, err := newObject(x.obj, x.source)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("evaluate policies: object %d: %w", i, err)
		}
		if x.request != nil {
			if o.admission, err = newAdmission(*x.request); err != nil {
				return nil, nil, nil, fmt.Errorf("evaluate policies: %s: %w", o, err)
			}
		}
		objs[i] = o
	}
	return e.evaluateWith(ctx, objs, objs, live)
}

// evaluateWith evaluates the policies on objs with data.inventory holding
// invObjs.
func (e *Engine) evaluateWith(ctx context.Context, objs, invObjs []*object, live bool) ([]findings.Finding, []findings.PolicyStat, []findings.Problem, error) {
	inv, err := buildInventory(invObjs, e.needs)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("evaluate policies: %w", err)
	}
	generated, err := e.expandAll(objs)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("evaluate policies: %w", err)
	}
	if len(generated) > 0 {
		objs = append(slices.Clip(objs), generated...)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if err := storage.WriteOne(ctx, e.store, storage.ReplaceOp, storage.MustParsePath("/inventory"), inv.value()); err != nil {
		return nil, nil, nil, fmt.Errorf("evaluate policies: inventory: %w", err)
	}
	results, err := e.run(ctx, objs, inv)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("evaluate policies: %w", err)
	}
	fs, stats, problems := e.collect(objs, results, live)
	return fs, stats, problems, nil
}

// collect turns per-object results into findings, stats and problems, in
// object order then policy order.
func (e *Engine) collect(objs []*object, results [][]result, live bool) ([]findings.Finding, []findings.PolicyStat, []findings.Problem) {
	stats := make([]findings.PolicyStat, len(e.policies))
	errored := make([][]string, len(e.policies))
	for i, p := range e.policies {
		stats[i] = findings.PolicyStat{ID: p.ID, Title: p.Title, Severity: p.Severity, Controls: p.Controls}
	}
	n := 0
	for _, rs := range results {
		for _, r := range rs {
			n += len(r.messages)
			if r.err != nil {
				n++
			}
		}
	}
	out := make([]findings.Finding, 0, n)
	// The findings of one policy with one outcome share their
	// PolicyResult: nothing changes it once made.
	shared := make([]map[findings.Outcome]*findings.PolicyResult, len(e.policies))
	result := func(pi int, outcome findings.Outcome) *findings.PolicyResult {
		if shared[pi] == nil {
			shared[pi] = map[findings.Outcome]*findings.PolicyResult{}
		}
		pr, ok := shared[pi][outcome]
		if !ok {
			pr = policyResult(e.policies[pi], outcome)
			shared[pi][outcome] = pr
		}
		return pr
	}
	var problems []findings.Problem
	for oi, o := range objs {
		excepts, err := objectExceptions(o)
		if err != nil {
			problems = append(problems, objectProblem(o, err))
		}
		for _, r := range results[oi] {
			p := e.policies[r.policy]
			st := &stats[r.policy]
			st.Evaluated++
			if r.err != nil {
				st.Failed++
				errored[r.policy] = append(errored[r.policy], o.String())
				out = append(out, finding(result(r.policy, findings.Error), o, "policy could not be evaluated: "+r.err.Error(), live))
				continue
			}
			if reason := cmp.Or(r.exception, excepts[p.ID]); reason != "" && len(r.messages) > 0 {
				st.Excepted++
				for _, m := range r.messages {
					f := finding(result(r.policy, findings.Exception), o, m, live)
					f.Reason = reason
					out = append(out, f)
				}
				continue
			}
			outcome := o.outcome(p)
			if len(r.messages) > 0 && outcome != findings.Warn {
				st.Failed++
			}
			if len(r.messages) == 0 && e.passes {
				st.Passed = append(st.Passed, o.reportedAs().ref)
			}
			for _, m := range r.messages {
				out = append(out, finding(result(r.policy, outcome), o, m, live))
			}
		}
	}
	if len(out) == 0 {
		out = nil
	}
	for i, objects := range errored {
		if len(objects) == 0 {
			continue
		}
		p := e.policies[i]
		msg := fmt.Sprintf("policy %s could not be evaluated on %d object(s): %s", p.ID, len(objects), strings.Join(firstN(objects, 5), ", "))
		problems = append(problems, findings.Problem{Source: findings.Source{File: p.File}, Message: msg})
	}
	return out, stats, problems
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(slices.Clip(s[:n]), fmt.Sprintf("and %d more", len(s)-n))
}

// finding is a policy finding on o, reported on its original when an
// ExpansionTemplate made it.
func finding(pr *findings.PolicyResult, o *object, msg string, live bool) findings.Finding {
	return findings.Finding{
		Type:    findings.Policy,
		Object:  o.reportedAs().ref,
		Message: impliedMessage(o, msg),
		Source:  o.source,
		Policy:  pr,
		Live:    live,
	}
}

func policyResult(p *policy, outcome findings.Outcome) *findings.PolicyResult {
	return &findings.PolicyResult{
		ID:          p.ID,
		Title:       p.Title,
		Severity:    p.Severity,
		Outcome:     outcome,
		Description: p.Description,
		Remediation: p.Remediation,
		Controls:    p.Controls,
		File:        p.File,
	}
}
