package record

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// flush renders every dirty object, commits what differs from the branch
// tip and returns the number of files the commit touched. An object that
// fails to render is logged and keeps its last recorded file: nothing is
// lost for one bad object. Objects are rendered a chunk at a time as the
// commit takes them, so an initial snapshot is never held whole in memory.
func (r *recorder) flush(ctx context.Context) (int, error) {
	st := r.state
	if len(st.dirty) == 0 {
		return 0, nil
	}
	paths := make([]string, 0, len(st.dirty))
	for p := range st.dirty {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	start := time.Now()
	b := &flushBatch{r: r, chunks: slices.Collect(slices.Chunk(paths, flushChunk))}
	if !b.fill() {
		// Nothing differs from the tip: no commit to wait for.
		r.flushed()
		return 0, nil
	}
	hash, err := r.git.CommitSeq(ctx, len(paths), b.changes)
	tips, renderTime := b.tips, b.renderTime
	switch {
	case errors.Is(err, committer.ErrNothingToCommit):
		// The tip already holds every change: take them as recorded, so
		// that what the state knows of the tip stays true.
		r.recorded(tips)
		r.flushed()
		return 0, nil
	case errors.Is(err, committer.ErrWorktree):
		// The commit stands; only the working tree lags, and the
		// committer brings it up to date with the next commit.
		r.log.Warn("committed, but the working tree was not updated; it is with the next commit", "commit", hash.String()[:12], "error", err)
	case err != nil:
		// What was not found right at the tip stays dirty: the next flush
		// tries again.
		return 0, fmt.Errorf("commit: %w", err)
	}
	r.recorded(tips)
	r.flushed()
	r.log.Info("committed", "commit", hash.String()[:12], "files", len(tips),
		"renderTime", renderTime.Round(time.Millisecond), "commitTime", (time.Since(start) - renderTime).Round(time.Millisecond))
	r.cfg.Observer.OnCommit(hash.String(), len(tips))
	r.git.Notify()
	return len(tips), nil
}

// flushChunk is how many objects are rendered at a time while a batch is
// committed.
const flushChunk = 1024

// flushBatch renders a flush's objects a chunk at a time as the commit
// takes their changes, and notes what each change makes of the tip.
type flushBatch struct {
	r          *recorder
	chunks     [][]string
	ready      []committer.Change // rendered, not yet taken
	tips       []tipUpdate
	renderTime time.Duration
}

// fill renders chunks until one has a change; false when none is left.
func (b *flushBatch) fill() bool {
	for len(b.ready) == 0 && len(b.chunks) > 0 {
		t := time.Now()
		b.ready = b.r.changesOf(b.chunks[0])
		b.chunks = b.chunks[1:]
		b.renderTime += time.Since(t)
	}
	return len(b.ready) > 0
}

func (b *flushBatch) changes(yield func(committer.Change) bool) {
	for b.fill() {
		ch := b.ready[0]
		b.ready[0] = committer.Change{} // taken: its content is the commit's now
		b.ready = b.ready[1:]
		b.tips = append(b.tips, b.r.tipOf(ch))
		if !yield(ch) {
			return
		}
	}
}

// changesOf renders the objects at paths (in parallel when there are
// many) and returns the changes their files need. Paths that need no
// change, or whose object fails to render, are no longer dirty.
func (r *recorder) changesOf(paths []string) []committer.Change {
	pre := r.prerender(paths)
	var out []committer.Change
	for _, p := range paths {
		ch, ok, err := r.change(p, pre[p])
		if err != nil {
			r.log.Error("object not recorded: render failed; its last recorded file is kept", "path", p, "error", err)
		}
		if !ok || err != nil {
			delete(r.state.dirty, p)
			continue
		}
		r.attribute(p, &ch)
		out = append(out, ch)
	}
	return out
}

// flushed forgets what the last flush took care of.
func (r *recorder) flushed() {
	clear(r.state.dirty)
	clear(r.state.gone)
	clear(r.state.seen)
}

// tipUpdate is what a committed change makes of a file at the branch tip.
type tipUpdate struct {
	path    string
	removed bool
	blob    committer.Hash
	fprint  string // of an encrypted Secret's file
}

func (r *recorder) tipOf(ch committer.Change) tipUpdate {
	t := tipUpdate{path: ch.Path, removed: ch.Data == nil}
	if t.removed {
		return t
	}
	t.blob = committer.BlobHash(ch.Data)
	if e, ok := r.state.live[ch.Path]; ok && r.encryptSecrets && serializer.IsSecret(e.res.GroupKind()) {
		t.fprint = serializer.FileFingerprint(ch.Data)
	}
	return t
}

// recorded updates what the state knows of the branch tip once changes
// are committed.
func (r *recorder) recorded(tips []tipUpdate) {
	st := r.state
	for _, t := range tips {
		delete(st.fprints, t.path)
		if t.removed {
			delete(st.known, t.path)
			continue
		}
		st.known[t.path] = t.blob
		if t.fprint != "" {
			st.fprints[t.path] = t.fprint
		}
	}
}

// change decides what the file at path must become. ok is false when it is
// already right.
func (r *recorder) change(p string, pre *rendered) (committer.Change, bool, error) {
	st := r.state
	e, live := st.live[p]
	old, exists := st.known[p]
	if !live {
		if !exists {
			return committer.Change{}, false, nil
		}
		return committer.Change{Path: p, Object: st.labelOf(p)}, true, nil
	}
	if r.encryptSecrets && serializer.IsSecret(e.res.GroupKind()) && exists {
		same, err := r.sameSecret(p, e)
		if err != nil {
			return committer.Change{}, false, err
		}
		if same {
			return committer.Change{}, false, nil
		}
	}
	if pre == nil {
		pre = r.render(e)
	}
	data, err := pre.data, pre.err
	if err != nil {
		return committer.Change{}, false, err
	}
	if pre.unchanged {
		return committer.Change{}, false, nil
	}
	if data == nil { // omitted (e.g. --secrets=omit)
		if !exists {
			return committer.Change{}, false, nil
		}
		return committer.Change{Path: p, Object: label(e)}, true, nil
	}
	if exists && committer.BlobHash(data) == old {
		return committer.Change{}, false, nil
	}
	ch := committer.Change{Path: p, Data: data, Object: label(e)}
	if a := pre.attribution; a != nil {
		ch.Attribution = &committer.Attribution{Manager: a.Manager, Operation: a.Operation, Time: a.Time}
	}
	return ch, true, nil
}

// sameSecret tells whether the encrypted file at p already holds this
// Secret's current value. Encryption is randomized, so bytes can't be
// compared; the file's fingerprint can. The cache holds fingerprints of
// files at the branch tip only (read from it, or recorded by flush once
// committed), never of renders not yet committed: a commit that fails must
// not make its Secret look recorded.
func (r *recorder) sameSecret(p string, e entry) (bool, error) {
	st := r.state
	fp, ok := st.fprints[p]
	if !ok {
		data, err := r.git.ReadFile(p)
		if err != nil {
			return false, fmt.Errorf("read %s: %w", p, err)
		}
		fp = serializer.FileFingerprint(data)
		st.fprints[p] = fp
	}
	obj, err := e.object()
	if err != nil {
		return false, fmt.Errorf("%s: %w", label(e), err)
	}
	cur, err := r.ser.SecretFingerprint(obj)
	if err != nil {
		return false, fmt.Errorf("%s: fingerprint: %w", label(e), err)
	}
	return fp != "" && fp == cur, nil
}

// label names an object in commit messages: "Deployment.apps shop/web".
func label(e entry) string {
	name := e.name
	if ns := e.namespace; ns != "" {
		name = ns + "/" + name
	}
	return e.res.String() + " " + name
}

// labelFromPath names an object that is gone, from its file path.
func labelFromPath(p string) string {
	ref, err := serializer.ParseObjectPath(p)
	if err != nil {
		return p
	}
	name := ref.Name
	if ref.Namespace != "" {
		name = ref.Namespace + "/" + name
	}
	res := ref.Resource
	if ref.Group != "" {
		res += "." + ref.Group
	}
	return res + " " + name
}
