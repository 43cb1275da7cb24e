package propose

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/types"
	sigsyaml "sigs.k8s.io/yaml"
)

// kustomizationNames are the file names kustomize recognizes.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// kustomization is one kustomization of the declared repository.
type kustomization struct {
	dir  string // slash-separated, relative to the repository root ("" for the root)
	file string // dir + "/" + its file name
	k    types.Kustomization
	refs []string // directories it builds on (resources, bases, components)
}

// kustomizations indexes every kustomization of the repository and who
// builds on whom.
type kustomizations struct {
	byDir map[string]*kustomization
	users map[string][]string // dir -> the kustomization dirs that build on it
}

// loadKustomizations reads every kustomization below root (hidden
// directories skipped). A kustomization that does not parse is left out:
// the audit reports it already.
func loadKustomizations(root string) *kustomizations {
	ks := &kustomizations{byDir: map[string]*kustomization{}, users: map[string][]string{}}
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		for _, name := range kustomizationNames {
			data, err := os.ReadFile(filepath.Join(p, name))
			if err != nil {
				continue
			}
			var k types.Kustomization
			if sigsyaml.Unmarshal(data, &k) != nil {
				break
			}
			rel, _ := filepath.Rel(root, p)
			dir := filepath.ToSlash(rel)
			if dir == "." {
				dir = ""
			}
			ku := &kustomization{dir: dir, file: path.Join(dir, name), k: k}
			// Bases and the patch fields below are deprecated, not gone:
			// declared repositories still use them.
			for _, r := range slices.Concat(k.Resources, k.Bases, k.Components) { //nolint:staticcheck // see above
				if strings.Contains(r, "://") || strings.HasPrefix(r, "github.com/") {
					continue
				}
				target := path.Clean(path.Join(dir, r))
				if fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(target))); err == nil && fi.IsDir() {
					ku.refs = append(ku.refs, target)
				}
			}
			ks.byDir[dir] = ku
			break
		}
		return nil
	})
	for _, k := range ks.byDir {
		for _, r := range k.refs {
			ks.users[r] = append(ks.users[r], k.dir)
		}
	}
	for _, u := range ks.users {
		slices.Sort(u)
	}
	return ks
}

// owner returns the kustomization whose directory holds file (the nearest
// one up the tree), or nil.
func (ks *kustomizations) owner(file string) *kustomization {
	for dir := path.Dir(file); ; dir = path.Dir(dir) {
		if dir == "." {
			dir = ""
		}
		if k, ok := ks.byDir[dir]; ok {
			return k
		}
		if dir == "" {
			return nil
		}
	}
}

// chains returns every path of kustomizations from one that nothing builds
// on (what the audit built) down to k, root first.
func (ks *kustomizations) chains(k *kustomization) [][]*kustomization {
	var out [][]*kustomization
	var walk func(cur *kustomization, below []*kustomization, seen map[string]bool)
	walk = func(cur *kustomization, below []*kustomization, seen map[string]bool) {
		chain := append([]*kustomization{cur}, below...)
		users := ks.users[cur.dir]
		if len(users) == 0 {
			out = append(out, chain)
			return
		}
		for _, u := range users {
			if seen[u] {
				continue
			}
			seen[u] = true
			walk(ks.byDir[u], chain, seen)
			delete(seen, u)
		}
	}
	walk(k, nil, map[string]bool{k.dir: true})
	return out
}

// patchFiles returns the strategic-merge and JSON patch files of k that
// may apply to an object of kind and name, relative to the root, and
// whether an inline patch may apply too.
func (k *kustomization) patchFiles(kind, name string) (smp, json6902 []string, inline bool) {
	applies := func(sel *types.Selector) bool {
		return sel == nil || ((sel.Kind == "" || sel.Kind == kind) && (sel.Name == "" || sel.Name == name))
	}
	for _, p := range k.k.PatchesStrategicMerge { //nolint:staticcheck // still written by users
		s := string(p)
		if strings.Contains(s, "\n") {
			inline = true
			continue
		}
		smp = append(smp, path.Join(k.dir, s))
	}
	for _, p := range k.k.Patches {
		if !applies(p.Target) {
			continue
		}
		if p.Path != "" {
			smp = append(smp, path.Join(k.dir, p.Path)) // JSON patches are told apart when read
		} else if p.Patch != "" {
			inline = true
		}
	}
	for _, p := range k.k.PatchesJson6902 { //nolint:staticcheck // still written by users
		if applies(p.Target) && p.Path != "" {
			json6902 = append(json6902, path.Join(k.dir, p.Path))
		} else if applies(p.Target) {
			inline = true
		}
	}
	return smp, json6902, inline
}
