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
}

// run evaluates the policies on the objects, in parallel over objects.
// results[i] holds the results of objs[i], in policy order, one per policy
// that matched the object.
func (e *Engine) run(ctx context.Context, objs []*object, inv *inventory) ([][]result, error) {
	results := make([][]result, len(objs))
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
				results[i] = e.evaluateObject(ctx, objs[i], inv)
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
	return results, err
}

// evaluateObject runs every matching policy on one object. Policies of a
// batch are evaluated by one query; when it fails, each of them is
// evaluated alone so the failure lands on the policy that caused it.
func (e *Engine) evaluateObject(ctx context.Context, o *object, inv *inventory) []result {
	var out []result
	var review ast.Value
	batched := map[*batch][]any{}
	for pi, p := range e.policies {
		if !p.match.matches(o, inv.labelsOf) {
			continue
		}
		if b := p.batch; b != nil {
			values, done := batched[b]
			if !done {
				values = e.evaluateBatch(ctx, b, o.value)
				batched[b] = values
			}
			if p.slot < len(values) {
				msgs, err := decodeMessages(values[p.slot])
				out = append(out, result{policy: pi, messages: msgs, err: err})
				continue
			}
		}
		in := o.value
		if p.parameters != nil {
			if review == nil {
				review = o.review()
			}
			in = ast.NewObject(
				ast.Item(ast.StringTerm("review"), ast.NewTerm(review)),
				ast.Item(ast.StringTerm("parameters"), ast.NewTerm(p.parameters)),
			)
		}
		msgs, err := e.evaluatePolicy(ctx, p, in)
		out = append(out, result{policy: pi, messages: msgs, err: err})
	}
	return out
}

// evaluateBatch evaluates the policies of a batch on one input; nil when
// the evaluation failed.
func (e *Engine) evaluateBatch(ctx context.Context, b *batch, in ast.Value) []any {
	rs, err := e.eval(ctx, b.query, in)
	if err != nil || len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil
	}
	values, _ := rs[0].Expressions[0].Value.([]any)
	return values
}

// eval runs a prepared query, bounded by the timeout and by ctx.
func (e *Engine) eval(ctx context.Context, q rego.PreparedEvalQuery, in ast.Value) (rego.ResultSet, error) {
	cancel := topdown.NewCancel()
	timer := time.AfterFunc(e.timeout, cancel.Cancel)
	defer timer.Stop()
	stop := context.AfterFunc(ctx, cancel.Cancel)
	defer stop()
	return q.Eval(ctx, rego.EvalParsedInput(in), rego.EvalExternalCancel(cancel))
}

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
	return decodeMessages(rs[0].Expressions[0].Value)
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
