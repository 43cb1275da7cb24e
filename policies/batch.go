package policies

import (
	"context"
	"encoding/binary"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// batch evaluates several policies of one compiler with one query on the
// same input, sharing the work of their common helpers (pod specs,
// containers). An object is evaluated only by the members that match it:
// the query of each set of members is prepared the first time an object
// needs it (a cluster has few distinct sets: one per kind, give or take
// namespace and label matches), so a Service does not pay for the
// workload policies.
type batch struct {
	// refs are the rules of the members, by slot.
	refs []ast.Ref
	// prepare compiles a query against the members' compiler.
	prepare func(ctx context.Context, term *ast.Term) (rego.PreparedEvalQuery, error)

	mu      sync.RWMutex
	queries map[string]*subsetQuery
}

// subsetQuery evaluates some members of a batch: element i of its result
// is the rule of the i-th slot of the set, in slot order.
type subsetQuery struct {
	query rego.PreparedEvalQuery
	// ok is false when the query could not be prepared; the members are
	// then evaluated alone.
	ok bool
}

func newBatch(refs []ast.Ref, prepare func(context.Context, *ast.Term) (rego.PreparedEvalQuery, error)) *batch {
	return &batch{refs: refs, prepare: prepare, queries: map[string]*subsetQuery{}}
}

// slotsKey encodes a set of slots (in increasing order) as a map key.
func slotsKey(buf []byte, slots []int) []byte {
	for _, s := range slots {
		buf = binary.AppendUvarint(buf, uint64(s))
	}
	return buf
}

// query returns the query of the members at slots (in increasing order),
// preparing it on first use.
func (b *batch) query(ctx context.Context, slots []int) *subsetQuery {
	var arr [16]byte
	key := slotsKey(arr[:0], slots)
	b.mu.RLock()
	q, ok := b.queries[string(key)]
	b.mu.RUnlock()
	if ok {
		return q
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if q, ok := b.queries[string(key)]; ok {
		return q
	}
	terms := make([]*ast.Term, len(slots))
	for i, s := range slots {
		terms[i] = ast.NewTerm(b.refs[s])
	}
	pq, err := b.prepare(ctx, ast.ArrayTerm(terms...))
	q = &subsetQuery{query: pq, ok: err == nil}
	if ctx.Err() == nil {
		// A query cut short by the end of ctx is not kept: a later run
		// prepares it again.
		b.queries[string(key)] = q
	}
	return q
}
