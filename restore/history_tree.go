package restore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// candidates returns the files of commit c that may be the object: the
// query's name in its namespace (or among cluster-scoped objects), in any
// resource of its group (of any group when none was given).
func (h *historian) candidates(c *object.Commit) (map[string]plumbing.Hash, error) {
	if f, ok := h.files[c.Hash]; ok {
		return f, nil
	}
	out := map[string]plumbing.Hash{}
	h.files[c.Hash] = out
	root, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of %s: %w", c.Hash, err)
	}
	bases := []string{serializer.ScopeDir(h.cluster, "")}
	if h.q.Namespace != "" {
		ns := serializer.ScopeDir(h.cluster, h.q.Namespace)
		if h.q.OrCluster {
			bases = append(bases, ns)
		} else {
			bases = []string{ns}
		}
	}
	for _, base := range bases {
		if err := h.candidatesIn(c, root, base, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// candidatesIn adds the candidate files under base (a cluster's
// cluster-scoped directory or one of its namespaces) to out.
func (h *historian) candidatesIn(c *object.Commit, root *object.Tree, base string, out map[string]plumbing.Hash) error {
	scope, err := root.Tree(base)
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s at %s: %w", base, c.Hash, err)
	}
	file := serializer.NamePath(h.q.Name) // long names are split into directories
	for _, g := range scope.Entries {
		if g.Mode != filemode.Dir || (h.q.GroupSet && g.Name != serializer.GroupSegment(h.q.Group)) {
			continue
		}
		group, err := scope.Tree(g.Name)
		if err != nil {
			return fmt.Errorf("read %s/%s at %s: %w", base, g.Name, c.Hash, err)
		}
		for _, r := range group.Entries {
			if r.Mode != filemode.Dir {
				continue
			}
			res, err := group.Tree(r.Name)
			if err != nil {
				return fmt.Errorf("read %s/%s/%s at %s: %w", base, g.Name, r.Name, c.Hash, err)
			}
			if f, err := res.File(file); err == nil {
				out[strings.Join([]string{base, g.Name, r.Name, file}, "/")] = f.Hash
			}
		}
	}
	return nil
}

// messageLines returns the lines of a commit message that are about the
// object in file p: record writes one line per object,
//
//	changed Deployment.apps shop/web (kubectl-client-side-apply Update 2026-11-22T01:02:03Z)
//
// naming it by kind (or resource) and group, or by path.
func messageLines(msg, p string, ref serializer.ObjectRef, kind string) []string {
	name := ref.Name
	if ref.Namespace != "" {
		name = ref.Namespace + "/" + ref.Name
	}
	var out []string
	lines := strings.Split(msg, "\n")
	for _, line := range lines[min(1, len(lines)):] {
		line = strings.TrimSpace(line)
		_, label, _, ok := committer.ParseObjectLine(line)
		if !ok {
			continue
		}
		if label == p {
			out = append(out, line)
			continue
		}
		fields := strings.Fields(label)
		if len(fields) == 2 && fields[1] == name && labelKindMatches(fields[0], ref, kind) {
			out = append(out, line)
		}
	}
	return out
}

// labelKindMatches matches the kind part of a message label: "Kind.group",
// "resource.group", "Kind" or "group/Kind".
func labelKindMatches(s string, ref serializer.ObjectRef, kind string) bool {
	k, g, dotted := strings.Cut(s, ".")
	if i := strings.LastIndex(s, "/"); i >= 0 {
		k, dotted = s[i+1:], false
	}
	if dotted && g != ref.Group {
		return false
	}
	return (kind != "" && strings.EqualFold(k, kind)) || strings.EqualFold(k, ref.Resource)
}
