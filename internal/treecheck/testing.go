package treecheck

import (
	"context"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

// pollInterval paces Await.
const pollInterval = 300 * time.Millisecond

// Require fails t unless the branch equals a fresh LIST of the cluster now.
func Require(t testing.TB, restCfg *rest.Config, o Options) *Result {
	t.Helper()
	res, err := Compare(t.Context(), restCfg, o)
	if err != nil {
		t.Fatalf("compare the backup with the cluster: %v", err)
	}
	if !res.Equal() {
		t.Fatal(res.String())
	}
	return res
}

// Await compares until the branch equals a fresh LIST of the cluster, and
// fails t with the last difference (or error) when patience runs out. A
// recorder commits in batches, so a test waits for it to catch up this way;
// alive, when not nil, is asked between attempts and ends the wait with its
// error (a recorder that exited will never catch up).
func Await(t testing.TB, restCfg *rest.Config, o Options, patience time.Duration, alive func() error) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), patience)
	defer cancel()
	var last string
	for {
		res, err := Compare(ctx, restCfg, o)
		switch {
		case err != nil && ctx.Err() == nil:
			last = err.Error()
		case err != nil:
		case res.Equal():
			return res
		default:
			last = res.String()
		}
		if alive != nil {
			if err := alive(); err != nil {
				t.Fatalf("waiting for the backup to equal the cluster: %v\nlast comparison: %s", err, last)
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the backup did not come to equal the cluster within %s; last comparison: %s", patience, last)
		case <-time.After(pollInterval):
		}
	}
}
