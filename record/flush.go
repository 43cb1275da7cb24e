package record

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/serializer"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// flush renders every dirty object, commits what differs from the branch
// tip and returns the number of files the commit touched. An object that
// fails to render is logged and keeps its last recorded file: nothing is
// lost for one bad object.
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
	pre := r.prerender(paths)
	var changes []committer.Change
	for _, p := range paths {
		ch, ok, err := r.change(p, pre[p])
		if err != nil {
			r.log.Error("object not recorded: render failed; its last recorded file is kept", "path", p, "error", err)
			continue
		}
		if ok {
			r.attribute(p, &ch)
			changes = append(changes, ch)
		}
	}
	clear(st.dirty)
	if len(changes) == 0 {
		clear(st.gone)
		clear(st.seen)
		return 0, nil
	}
	rendered := time.Now()
	hash, err := r.git.Commit(ctx, changes)
	switch {
	case errors.Is(err, committer.ErrNothingToCommit):
		// The tip already holds every change: take them as recorded, so
		// that what the state knows of the tip stays true.
		r.recorded(changes)
		clear(st.gone)
		clear(st.seen)
		return 0, nil
	case errors.Is(err, committer.ErrWorktree):
		// The commit stands; only the working tree lags, and the
		// committer brings it up to date with the next commit.
		r.log.Warn("committed, but the working tree was not updated; it is with the next commit", "commit", hash.String()[:12], "error", err)
	case err != nil:
		// Keep them dirty: the next flush tries again.
		for _, ch := range changes {
			st.dirty[ch.Path] = struct{}{}
		}
		return 0, fmt.Errorf("commit: %w", err)
	}
	r.recorded(changes)
	clear(st.gone)
	clear(st.seen)
	r.log.Info("committed", "commit", hash.String()[:12], "files", len(changes),
		"renderTime", rendered.Sub(start).Round(time.Millisecond), "commitTime", time.Since(rendered).Round(time.Millisecond))
	r.cfg.Observer.OnCommit(hash.String(), len(changes))
	r.git.Notify()
	return len(changes), nil
}

// recorded updates what the state knows of the branch tip once changes
// are committed.
func (r *recorder) recorded(changes []committer.Change) {
	st := r.state
	for _, ch := range changes {
		delete(st.fprints, ch.Path)
		if ch.Data == nil {
			delete(st.known, ch.Path)
			continue
		}
		st.known[ch.Path] = committer.BlobHash(ch.Data)
		if e, ok := st.live[ch.Path]; ok && r.encryptSecrets && isSecret(e.res) {
			st.fprints[ch.Path] = serializer.FileFingerprint(ch.Data)
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
	if r.encryptSecrets && isSecret(e.res) && exists {
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

func isSecret(r watcher.Resource) bool { return serializer.IsSecret(r.GroupKind()) }

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
