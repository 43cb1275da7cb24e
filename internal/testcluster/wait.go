package testcluster

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// EventuallyTimeout bounds Eventually: long enough for controllers on a
// loaded 2-core machine, short enough that a hung test says what it waited
// for.
const EventuallyTimeout = 2 * time.Minute

// Eventually polls cond every 200 ms until it returns true, failing the
// test with what it waited for (and cond's last error) after
// EventuallyTimeout. An error from cond does not stop the polling: the
// cluster may still be settling.
func Eventually(t testing.TB, what string, cond wait.ConditionWithContextFunc) {
	t.Helper()
	var last error
	poll := func(ctx context.Context) (bool, error) {
		ok, err := cond(ctx)
		last = err
		return ok && err == nil, nil
	}
	if err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, EventuallyTimeout, true, poll); err != nil {
		t.Fatalf("waiting for %s: %v (last error: %v)", what, err, last)
	}
}
