package record

import (
	"context"
	"errors"
	"fmt"
	"slices"

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
	var changes []committer.Change
	for _, p := range paths {
		ch, ok, err := r.change(p)
		if err != nil {
			r.log.Error("object not recorded: render failed; its last recorded file is kept", "path", p, "error", err)
			continue
		}
		if ok {
			changes = append(changes, ch)
		}
	}
	clear(st.dirty)
	if len(changes) == 0 {
		clear(st.gone)
		return 0, nil
	}
	hash, err := r.git.Commit(ctx, changes)
	if errors.Is(err, committer.ErrNothingToCommit) {
		return 0, nil
	}
	if err != nil {
		// Keep them dirty: the next flush tries again.
		for _, ch := range changes {
			st.dirty[ch.Path] = struct{}{}
		}
		return 0, fmt.Errorf("commit: %w", err)
	}
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
	clear(st.gone)
	r.log.Info("committed", "commit", hash.String()[:12], "files", len(changes))
	r.cfg.Observer.OnCommit(hash.String(), len(changes))
	r.git.Notify()
	return len(changes), nil
}

// change decides what the file at path must become. ok is false when it is
// already right.
func (r *recorder) change(p string) (committer.Change, bool, error) {
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
	data, err := r.ser.Render(e.obj)
	if err != nil {
		return committer.Change{}, false, fmt.Errorf("%s: %w", label(e), err)
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
	if a := watcher.LastChange(e.obj); a != nil {
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
	cur, err := r.ser.SecretFingerprint(e.obj)
	if err != nil {
		return false, fmt.Errorf("%s: fingerprint: %w", label(e), err)
	}
	return fp != "" && fp == cur, nil
}

func isSecret(r watcher.Resource) bool { return r.GVR.Group == "" && r.Kind == "Secret" }

// label names an object in commit messages: "Deployment.apps shop/web".
func label(e entry) string {
	name := e.obj.GetName()
	if ns := e.obj.GetNamespace(); ns != "" {
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
