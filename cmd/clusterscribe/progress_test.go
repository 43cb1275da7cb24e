package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/watcher"
)

// TestProgressLine checks what the progress shows on a terminal (one line
// rewritten in place, cleared at the end) and in logs, and that --quiet
// (a nil progress) shows nothing.
func TestProgressLine(t *testing.T) {
	var tty bytes.Buffer
	p := &progress{what: "initial sync", w: &tty, tty: true, log: slog.New(slog.DiscardHandler), started: time.Now(), kinds: map[string]int{}}
	cms := watcher.Resource{GVR: schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, Kind: "ConfigMap"}
	p.listed(cms, 500)
	p.listed(watcher.Resource{}, 0)
	got := tty.String()
	if !strings.Contains(got, "\r\x1b[2Kinitial sync: 500 objects of 1 kinds listed") || !strings.Contains(got, "now configmaps: 500") {
		t.Errorf("terminal line = %q", got)
	}
	if !strings.HasSuffix(got, "\r\x1b[2K") {
		t.Errorf("the line is not cleared at the end: %q", got)
	}

	var logs bytes.Buffer
	p = &progress{what: "restore", w: &bytes.Buffer{}, log: slog.New(slog.NewTextHandler(&logs, nil)), kinds: map[string]int{}}
	p.count(7, 7) // the last object is always reported
	if got := logs.String(); !strings.Contains(got, "restore progress") || !strings.Contains(got, "done=7 total=7") {
		t.Errorf("log = %q", got)
	}

	var quiet *progress
	quiet.listed(cms, 1)
	quiet.count(1, 2)
	quiet.done()
	g := &globals{quiet: true}
	if g.progress(nil, "x") != nil {
		t.Error("--quiet still shows progress")
	}
}
