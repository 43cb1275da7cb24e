package audit

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// forEach calls fn(0) ... fn(n-1) on as many goroutines as there are
// CPUs. It returns the error of the lowest index that failed (the one a
// sequential loop would have returned first), or ctx's error; after a
// failure, indexes not yet started are skipped.
func forEach(ctx context.Context, n int, fn func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	var next atomic.Int64
	var mu sync.Mutex
	failed := n // lowest failed index
	var firstErr error
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				mu.Lock()
				stop := i >= failed
				mu.Unlock()
				if stop || i >= n {
					return
				}
				err := ctx.Err()
				if err == nil {
					err = fn(i)
				}
				if err != nil {
					mu.Lock()
					if i < failed {
						failed, firstErr = i, err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}
