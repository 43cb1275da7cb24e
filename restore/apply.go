package restore

import (
	"context"
	"sync"

	"github.com/clusterscribe/clusterscribe/internal/applyorder"
)

// DefaultParallel is how many objects of one level are applied at once.
// The client-side rate limit, not this, sets the pace; it bounds the
// requests in flight.
const DefaultParallel = 16

// applyAll applies items, sorted, level by level (applyorder.Levels): the
// objects of a level at once, by up to Config.Parallel workers, and a
// level is done before the next starts, so every object finds what it
// would find if they were applied one by one. After the CRDs it waits for
// them to be served. The results are in the order of items whatever order
// the objects finished in; objects not tried because ctx ended are left
// out.
func (r *restorer) applyAll(ctx context.Context, items []item) []Result {
	out := make([]Result, len(items))
	tried := make([]bool, len(items))
	var crds []appliedCRD
	settled := false
	p := &progressCount{total: len(items), report: r.cfg.Progress}
	for _, lv := range applyorder.Levels(items, orderKey) {
		if ctx.Err() != nil {
			break
		}
		if !settled && !isCRD(items[lv[0]].res.GroupKind()) {
			settled = true
			r.settleCRDs(ctx, crds, out)
		}
		r.applyLevel(ctx, items, lv, out, tried, p)
		for i := lv[0]; i < lv[1]; i++ {
			if !tried[i] || (out[i].Action != Created && out[i].Action != Updated) {
				continue
			}
			it := items[i]
			if out[i].Action == Created {
				r.created(it)
			}
			if kind, ok := crdKind(it.obj); ok && isCRD(it.res.GroupKind()) {
				crds = append(crds, appliedCRD{result: i, name: it.obj.GetName(), kind: kind})
			}
		}
	}
	if !settled {
		r.settleCRDs(ctx, crds, out)
	}
	kept := out[:0]
	for i := range out {
		if tried[i] {
			kept = append(kept, out[i])
		}
	}
	return kept
}

// applyLevel restores items[lv[0]:lv[1]] at once and returns when all are
// done, or when ctx ends and those in flight are.
func (r *restorer) applyLevel(ctx context.Context, items []item, lv [2]int, out []Result, tried []bool, p *progressCount) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(r.cfg.Parallel, lv[1]-lv[0]) {
		wg.Go(func() {
			for i := range next {
				out[i] = r.restoreOne(ctx, items[i])
				tried[i] = true
				r.logResult(out[i])
				p.add()
			}
		})
	}
	for i := lv[0]; i < lv[1] && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// progressCount reports objects applied, one at a time, in order.
type progressCount struct {
	mu     sync.Mutex
	done   int
	total  int
	report func(done, total int)
}

func (p *progressCount) add() {
	if p.report == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.report(p.done, p.total)
}
