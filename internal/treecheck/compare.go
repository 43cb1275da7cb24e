package treecheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"filippo.io/age"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// Options say what to compare.
type Options struct {
	// Record is the configuration the recorder ran with. Its Cluster,
	// Filters, Serializer and Committer.Branch are used, with the defaults
	// record fills in for empty ones.
	Record record.Config
	// Repo is the repository directory to read, working or bare: the
	// recorder's repository, its clone of a remote, or the remote itself.
	// Empty means Record.Committer.Repo when that is a local path.
	Repo string
	// Branch overrides Record.Committer.Branch.
	Branch string
	// Identities decrypt encrypted Secrets so that their values are compared
	// too. Without them an encrypted Secret is compared by its fingerprint
	// annotation and its clear-text fields (see Result.Encrypted).
	Identities []age.Identity
}

// Difference is one file whose content is not what the live object renders
// to.
type Difference struct {
	Path string
	// Diff is (-live +file).
	Diff string
}

// Result is the outcome of one comparison.
type Result struct {
	Repo, Branch, Cluster string
	// BranchFound is false when the branch does not exist yet.
	BranchFound bool
	// Objects is the number of live objects in scope that have a file (a
	// Secret left out by --secrets=omit has none); Files the number of files
	// under the cluster's directory.
	Objects, Files int
	// Missing are paths of live objects without a file; Extra paths of files
	// without a live object; both sorted.
	Missing, Extra []string
	// Different are files whose content differs, sorted by path.
	Different []Difference
	// Encrypted counts the encrypted Secrets compared. Their ciphertext and
	// sops metadata change on every render (random data key and nonces), so
	// bytes can't be compared: the fingerprint annotation (an HMAC of the
	// whole plaintext and the recipients) and the clear-text fields are, and
	// with Options.Identities (Decrypted) the decrypted files are.
	Encrypted int
	Decrypted bool
}

// Equal reports whether the branch holds exactly the live objects.
func (r *Result) Equal() bool {
	return r.BranchFound && len(r.Missing) == 0 && len(r.Extra) == 0 && len(r.Different) == 0
}

// Report limits: paths listed and diffs shown per category.
const (
	maxPaths = 8
	maxDiffs = 3
)

// String describes the result; for a mismatch it lists the first paths of
// each kind and the diffs of the first few different files.
func (r *Result) String() string {
	var b strings.Builder
	where := fmt.Sprintf("cluster %q on branch %s of %s", r.Cluster, r.Branch, r.Repo)
	if r.Equal() {
		fmt.Fprintf(&b, "%s equals a fresh LIST: %d objects", where, r.Objects)
		if r.Encrypted > 0 {
			how := "fingerprint and clear-text fields"
			if r.Decrypted {
				how = "decrypted content"
			}
			fmt.Fprintf(&b, " (%d encrypted Secrets compared by %s)", r.Encrypted, how)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%s differs from a fresh LIST (%d live objects, %d files)", where, r.Objects, r.Files)
	if !r.BranchFound {
		b.WriteString(": the branch does not exist")
	}
	list := func(title string, paths []string) {
		if len(paths) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s: %d", title, len(paths))
		for _, p := range paths[:min(len(paths), maxPaths)] {
			fmt.Fprintf(&b, "\n  %s", p)
		}
		if len(paths) > maxPaths {
			fmt.Fprintf(&b, "\n  … and %d more", len(paths)-maxPaths)
		}
	}
	list("missing (live object, no file)", r.Missing)
	list("extra (file, no live object)", r.Extra)
	if len(r.Different) > 0 {
		paths := make([]string, len(r.Different))
		for i, d := range r.Different {
			paths[i] = d.Path
		}
		list("different content", paths)
		for _, d := range r.Different[:min(len(r.Different), maxDiffs)] {
			fmt.Fprintf(&b, "\n%s (-live +file):\n%s", d.Path, strings.TrimRight(d.Diff, "\n"))
		}
	}
	return b.String()
}

// Compare lists the cluster afresh and compares it with the branch.
func Compare(ctx context.Context, restCfg *rest.Config, o Options) (*Result, error) {
	cfg := o.Record
	cluster := cfg.Cluster
	if cluster == "" {
		cluster = record.DefaultCluster
	}
	branch := o.Branch
	if branch == "" {
		branch = cfg.Committer.Branch
	}
	if branch == "" {
		branch = record.DefaultBranch
	}
	repo := o.Repo
	if repo == "" {
		if strings.Contains(cfg.Committer.Repo, "://") {
			return nil, errors.New("treecheck: Options.Repo is required when the recorder's repository is a URL")
		}
		repo = cfg.Committer.Repo
	}
	f, err := filters.New(cfg.Filters)
	if err != nil {
		return nil, fmt.Errorf("treecheck: %w", err)
	}
	live, err := listLive(ctx, restCfg, cluster, f)
	if err != nil {
		return nil, fmt.Errorf("treecheck: %w", err)
	}
	sopts := cfg.Serializer
	sopts.Autoscaled = autoscaled(live)
	ser, err := serializer.New(sopts)
	if err != nil {
		return nil, fmt.Errorf("treecheck: %w", err)
	}
	files, found, err := readTree(repo, branch, cluster)
	if err != nil {
		return nil, fmt.Errorf("treecheck: %w", err)
	}
	c := &comparer{ser: ser, identities: o.Identities, encrypt: sopts.Secrets == serializer.SecretsEncrypt}
	res := &Result{Repo: repo, Branch: branch, Cluster: cluster, BranchFound: found, Files: len(files), Decrypted: len(o.Identities) > 0}
	for p, l := range live {
		file, ok := files[p]
		diff, want, err := c.compare(l, file, ok)
		switch {
		case err != nil:
			res.Different = append(res.Different, Difference{Path: p, Diff: err.Error()})
		case !want && ok:
			res.Extra = append(res.Extra, p+" (left out by the secret mode, yet present)")
		case want && !ok:
			res.Missing = append(res.Missing, p)
		case diff != "":
			res.Different = append(res.Different, Difference{Path: p, Diff: diff})
		}
		if want {
			res.Objects++
		}
		if c.encrypt && serializer.IsSecret(l.res.GroupKind()) && ok {
			res.Encrypted++
		}
	}
	for p := range files {
		if _, ok := live[p]; !ok {
			res.Extra = append(res.Extra, p)
		}
	}
	slices.Sort(res.Missing)
	slices.Sort(res.Extra)
	slices.SortFunc(res.Different, func(a, b Difference) int { return strings.Compare(a.Path, b.Path) })
	return res, nil
}

type comparer struct {
	ser        *serializer.Serializer
	identities []age.Identity
	encrypt    bool
}

// compare renders a live object and compares it with its file (exists
// tells whether there is one). want is false when the object has no file
// by design (a Secret in omit mode); diff is empty when they agree.
func (c *comparer) compare(l liveObject, file []byte, exists bool) (diff string, want bool, err error) {
	fresh, err := c.ser.Render(l.obj)
	if err != nil {
		return "", true, fmt.Errorf("cannot render the live object: %w", err)
	}
	if fresh == nil {
		return "", false, nil
	}
	if !exists {
		return "", true, nil
	}
	if c.encrypt && serializer.IsSecret(l.res.GroupKind()) {
		diff, err := c.compareEncrypted(l, fresh, file)
		return diff, true, err
	}
	if bytes.Equal(fresh, file) {
		return "", true, nil
	}
	return lineDiff(string(fresh), string(file)), true, nil
}
