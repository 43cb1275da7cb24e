package policies

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// errTimeout is a policy that ran past the timeout on an object.
var errTimeout = errors.New("timed out")

// result is what one policy said about one object.
type result struct {
	policy   int
	messages []string
	err      error
	// exception is why the object is excepted from the policy (a
	// conftest exception rule); empty when it is not.
	exception string
}

// run evaluates the policies on the objects, in parallel over objects.
// results[i] holds the results of objs[i], in policy order, one per policy
// that matched the object. An object is converted for OPA only while it
// is evaluated (unless the inventory holds it): at most one per worker is
// in memory at a time.
func (e *Engine) run(ctx context.Context, objs []*object, inv *inventory) ([][]result, error) {
	results := make([][]result, len(objs))
	errs := make([]error, len(objs))
	workers := e.parallelism
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(len(objs), 1))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				results[i], errs[i] = e.evaluateObject(ctx, objs[i], inv)
			}
		})
	}
	var err error
feed:
	for i := range objs {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		for i, e := range errs {
			if e != nil {
				return nil, fmt.Errorf("object %d: %w", i, e)
			}
		}
	}
	return results, err
}

// evaluateObject runs every matching policy on one object. The matching
// members of a batch are evaluated by one query; when it fails, each of
// them is evaluated alone so the failure lands on the policy that caused
// it. err is set only when the object cannot be converted.
func (e *Engine) evaluateObject(ctx context.Context, o *object, inv *inventory) ([]result, error) {
	var matchedBuf [32]int
	matched := matchedBuf[:0]
	for pi, p := range e.policies {
		if p.match.matches(o, inv.labelsOf) {
			matched = append(matched, pi)
		}
	}
	if len(matched) == 0 {
		return nil, nil
	}
	out := make([]result, 0, len(matched))
	var value, review ast.Value
	var batches []batchRun
	for _, pi := range matched {
		p := e.policies[pi]
		if p.cel != nil {
			msgs, err := p.cel.evaluate(ctx, o, inv.labelsOf, e.timeout)
			out = append(out, result{policy: pi, messages: msgs, err: err})
			continue
		}
		if value == nil {
			var err error
			if value, err = o.input(); err != nil {
				return nil, err
			}
		}
		if b := p.batch; b != nil {
			i := slices.IndexFunc(batches, func(r batchRun) bool { return r.batch == b })
			if i < 0 {
				batches = append(batches, e.evaluateBatch(ctx, b, value, e.slotsOf(b, matched)))
				i = len(batches) - 1
			}
			if v, ok := batches[i].valueOf(p.slot); ok {
				msgs, err := decodeValue(v)
				out = append(out, result{policy: pi, messages: msgs, err: err})
				continue
			}
		}
		in := value
		if p.parameters != nil {
			if review == nil {
				review = o.review(value)
			}
			in = ast.NewObject(
				ast.Item(ast.StringTerm("review"), ast.NewTerm(review)),
				ast.Item(ast.StringTerm("parameters"), ast.NewTerm(p.parameters)),
			)
		}
		msgs, err := e.evaluatePolicy(ctx, p, in)
		out = append(out, result{policy: pi, messages: msgs, err: err})
	}
	e.applyConftestExceptions(ctx, value, out)
	return out, nil
}

// slotsOf returns the slots of the members of b among the matched
// policies, in increasing order.
func (e *Engine) slotsOf(b *batch, matched []int) []int {
	var slots []int
	for _, pi := range matched {
		if p := e.policies[pi]; p.batch == b {
			slots = append(slots, p.slot)
		}
	}
	slices.Sort(slots)
	return slots
}

// batchRun is the evaluation of some members of a batch on one object.
type batchRun struct {
	batch *batch
	slots []int
	// values[i] is the value of the rule of slots[i]; nil when the
	// evaluation failed.
	values []ast.Value
}

func (r batchRun) valueOf(slot int) (ast.Value, bool) {
	i, found := slices.BinarySearch(r.slots, slot)
	if !found || i >= len(r.values) {
		return nil, false
	}
	return r.values[i], true
}

// evaluateBatch evaluates the members of a batch at slots on one input.
func (e *Engine) evaluateBatch(ctx context.Context, b *batch, in ast.Value, slots []int) batchRun {
	run := batchRun{batch: b, slots: slots}
	q := b.query(ctx, slots)
	if !q.ok {
		return run
	}
	rs, err := e.eval(ctx, q.query, in)
	if err != nil || len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return run
	}
	arr, _ := rs[0].Expressions[0].Value.(*ast.Array)
	if arr == nil || arr.Len() != len(slots) {
		return run
	}
	run.values = make([]ast.Value, arr.Len())
	for i := range run.values {
		run.values[i] = arr.Elem(i).Value
	}
	return run
}

// eval runs a prepared query, bounded by the timeout and by ctx.
func (e *Engine) eval(ctx context.Context, q rego.PreparedEvalQuery, in ast.Value) (rego.ResultSet, error) {
	cancel := topdown.NewCancel()
	timer := time.AfterFunc(e.timeout, cancel.Cancel)
	defer timer.Stop()
	stop := context.AfterFunc(ctx, cancel.Cancel)
	defer stop()
	return q.Eval(ctx, rego.EvalParsedInput(in), rego.EvalExternalCancel(cancel),
		rego.EvalMetrics(noMetrics), rego.EvalGenerateJSON(keepAST))
}

// noMetrics: evaluations are not measured one by one.
var noMetrics = metrics.NoOp()

// keepAST leaves results as OPA values: decodeValue reads them without
// converting them to Go values first.
func keepAST(t *ast.Term, _ *rego.EvalContext) (any, error) { return t.Value, nil }

// evaluatePolicy evaluates one policy on one input, bounded by the timeout.
func (e *Engine) evaluatePolicy(ctx context.Context, p *policy, in ast.Value) ([]string, error) {
	rs, err := e.eval(ctx, p.query, in)
	if err != nil {
		if isCancel(err) && ctx.Err() == nil {
			return nil, fmt.Errorf("%w after %s (does the policy loop over large ranges?)", errTimeout, e.timeout)
		}
		return nil, p.runtimeError(err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		// The rule is not defined for this object: nothing fired.
		return nil, nil
	}
	v, _ := rs[0].Expressions[0].Value.(ast.Value)
	return decodeValue(v)
}

// oneLine folds a multi-line error message into one line.
func oneLine(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if i > 0 {
			if strings.HasSuffix(b.String(), ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(strings.TrimSpace(l))
	}
	return b.String()
}

func isCancel(err error) bool {
	var te *topdown.Error
	return errors.As(err, &te) && te.Code == topdown.CancelErr
}

// runtimeError locates a topdown error in the policy's file.
func (p *policy) runtimeError(err error) error {
	var te *topdown.Error
	if errors.As(err, &te) && te.Location != nil {
		file, line, col := p.srcs.locate(te.Location)
		return fmt.Errorf("%s:%d:%d: %s", file, line, col, oneLine(te.Message))
	}
	return err
}
