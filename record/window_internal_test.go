package record

import (
	"strings"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/watcher"
)

// The batch window runs from when the watcher received the first change,
// not from when the run loop got to it after a slow commit.
func TestWindowStartsWhenTheChangeArrived(t *testing.T) {
	r := &recorder{cfg: Config{BatchWindow: 10 * time.Second}}
	if got := r.windowLeft(watcher.Event{}); got != 10*time.Second {
		t.Errorf("no receipt time: window %s, want the whole 10s", got)
	}
	if got := r.windowLeft(watcher.Event{Received: time.Now().Add(-4 * time.Second)}); got > 6*time.Second || got < 5*time.Second {
		t.Errorf("received 4s ago: window %s left, want about 6s", got)
	}
	if got := r.windowLeft(watcher.Event{Received: time.Now().Add(-time.Minute)}); got != 0 {
		t.Errorf("received a minute ago: window %s left, want 0", got)
	}
}

func TestClusterNameMustBeAUsableDirectory(t *testing.T) {
	for _, name := range []string{"prod", "eu-west-1.prod", strings.Repeat("c", maxClusterName)} {
		if err := validateClusterName(name); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
	for _, name := range []string{".", "..", "a/b", "a b", strings.Repeat("c", maxClusterName+1)} {
		if err := validateClusterName(name); err == nil || !strings.Contains(err.Error(), "--cluster-name") {
			t.Errorf("%.20q accepted or unclear: %v", name, err)
		}
	}
}
