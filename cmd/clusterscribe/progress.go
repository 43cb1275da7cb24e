package main

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/clusterscribe/clusterscribe/watcher"
)

// progressLogEvery is how often progress is logged when standard error is
// not a terminal.
const progressLogEvery = 5 * time.Second

// progress shows how long work is going: on a terminal one line on
// standard error, rewritten in place; elsewhere a log line every few
// seconds. A nil *progress (--quiet) shows nothing.
type progress struct {
	what    string
	w       io.Writer
	tty     bool
	log     *slog.Logger
	started time.Time

	mu      sync.Mutex
	last    time.Time
	shown   bool
	objects int            // listed so far
	kinds   map[string]int // listed per resource
	kind    string         // the resource listed last
}

// progress starts reporting the work named what, or returns nil with
// --quiet.
func (g *globals) progress(log *slog.Logger, what string) *progress {
	if g.quiet {
		return nil
	}
	now := time.Now()
	return &progress{what: what, w: g.streams.ErrOut, tty: isTerminal(g.streams.ErrOut), log: log, started: now, last: now, kinds: map[string]int{}}
}

// count reports done of total objects applied.
func (p *progress) count(done, total int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.due() && done < total {
		return
	}
	if p.tty {
		p.line(fmt.Sprintf("%s: %d/%d objects", p.what, done, total))
		return
	}
	p.log.Info(p.what+" progress", "done", done, "total", total)
}

// listed is a watcher.Options.Progress: objects of r listed. The zero
// Resource ends the initial lists.
func (p *progress) listed(r watcher.Resource, objects int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Kind == "" {
		p.finish()
		return
	}
	p.kind = r.GVR.GroupResource().String()
	p.kinds[p.kind] += objects
	p.objects += objects
	if !p.due() {
		return
	}
	rate := float64(p.objects) / max(time.Since(p.started).Seconds(), 0.001)
	if p.tty {
		p.line(fmt.Sprintf("%s: %d objects of %d kinds listed (%.0f/s), now %s: %d", p.what, p.objects, len(p.kinds), rate, p.kind, p.kinds[p.kind]))
		return
	}
	p.log.Info(p.what+" progress", "objects", p.objects, "kinds", len(p.kinds), "perSecond", int(rate), "kind", p.kind, "kindObjects", p.kinds[p.kind])
}

// done ends the progress line.
func (p *progress) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finish()
}

// due reports whether it is time to show progress again: at once on a
// terminal (a few times a second), every progressLogEvery elsewhere.
func (p *progress) due() bool {
	every := progressLogEvery
	if p.tty {
		every = 200 * time.Millisecond
	}
	if time.Since(p.last) < every {
		return false
	}
	p.last = time.Now()
	return true
}

func (p *progress) line(s string) {
	_, _ = fmt.Fprintf(p.w, "\r\x1b[2K%s", s)
	p.shown = true
}

func (p *progress) finish() {
	if p.shown {
		_, _ = fmt.Fprint(p.w, "\r\x1b[2K")
		p.shown = false
	}
}
