package declared

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// Object is one declared object and where it was declared.
type Object struct {
	Object *unstructured.Unstructured
	Source findings.Source
}

// Options say where the declared state is.
type Options struct {
	// Source is a directory, or a Git URL with an optional @ref (see
	// ParseSource).
	Source string
	// Path is the sub-directory of Source to read ("clusters/prod").
	Path string
	// Auth are the Git credentials, as for record's backup repository.
	Auth gitremote.Auth
	// Workdir is where a Git URL is cloned; default the system's temporary
	// directory. The clone is removed when Load returns.
	Workdir string
	// MaxFileBytes is the largest file read; default DefaultMaxFileBytes.
	// A larger file is reported as a problem and skipped.
	MaxFileBytes int64
	Logger       *slog.Logger
}

// Set is what Load read.
type Set struct {
	Objects []Object
	// Problems are the documents and kustomizations that could not be read;
	// everything else was.
	Problems []findings.Problem
	// Location names the source without credentials, with the path.
	Location string
	// Revision is the commit read, when the source is a Git URL or a
	// directory inside a Git work tree.
	Revision string
}

// Load reads the declared objects. Files are read in lexical order;
// source files are named relative to the repository (or directory) root.
// It fails only when the source cannot be read at all, or holds no
// manifest and no problem that would explain it.
func Load(ctx context.Context, o Options) (*Set, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	src, err := ParseSource(o.Source)
	if err != nil {
		return nil, err
	}
	sub, err := cleanSubPath(o.Path)
	if err != nil {
		return nil, err
	}
	set := &Set{Location: src.String()}
	if sub != "" {
		set.Location += " (path " + sub + ")"
	}
	root := src.Dir
	if src.IsGit() {
		dir, err := os.MkdirTemp(o.Workdir, "clusterscribe-declared-*")
		if err != nil {
			return nil, fmt.Errorf("declared: clone directory: %w", err)
		}
		defer func() { _ = os.RemoveAll(dir) }()
		o.Logger.Info("cloning the declared repository", "source", src.String())
		if set.Revision, err = clone(ctx, src, o.Auth, dir); err != nil {
			return nil, fmt.Errorf("declared: %w", err)
		}
		root = dir
	} else {
		fi, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("declared: %w", err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("declared: %s is not a directory", root)
		}
		set.Revision = localRevision(root)
	}
	if root, err = filepath.Abs(root); err != nil {
		return nil, fmt.Errorf("declared: %w", err)
	}
	base := filepath.Join(root, filepath.FromSlash(sub))
	if fi, err := os.Stat(base); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("declared: --path %s is not a directory of %s", sub, set.Location)
	}
	files, err := newFileReader(root, o.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("declared: %w", err)
	}
	if err := readTree(files, base, set, o.Logger); err != nil {
		return nil, fmt.Errorf("declared: %w", err)
	}
	if len(set.Objects) == 0 && len(set.Problems) == 0 {
		return nil, fmt.Errorf("declared: %s: %w", set.Location, ErrNoManifests)
	}
	return set, nil
}

// cleanSubPath checks --path: relative, inside the source.
func cleanSubPath(p string) (string, error) {
	p = strings.Trim(filepath.ToSlash(strings.TrimSpace(p)), "/")
	if p == "" || p == "." {
		return "", nil
	}
	clean := filepath.ToSlash(filepath.Clean(p))
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("--path %s: must stay inside the declared source", p)
	}
	return clean, nil
}

// readTree reads base: kustomization directories are built (their files
// are theirs, and a base used by an overlay is built through the overlay
// only), other .yaml, .yml and .json files are read as manifests. Hidden
// directories and Helm charts are skipped. Symbolic links to files inside
// the tree are read; links to directories are not followed, and links out
// of the tree, link loops and broken links are problems. A file that
// cannot be read, is not a regular file or is larger than the limit is a
// problem on that file, and everything else is still read.
func readTree(files *fileReader, base string, set *Set, log *slog.Logger) error {
	w := &treeWalk{files: files, base: base, set: set, log: log}
	if err := filepath.WalkDir(base, w.visit); err != nil {
		return err
	}
	w.buildKustomizations()
	slices.Sort(w.manifests)
	for _, r := range parseFiles(files, w.manifests) {
		if r.err != nil {
			w.fileProblem(r.path, r.err)
			continue
		}
		set.Objects = append(set.Objects, r.objs...)
		set.Problems = append(set.Problems, r.problems...)
	}
	return nil
}

// treeWalk collects, from a walk of the declared tree, the manifest files
// and the kustomizations to build; unreadable entries become problems.
type treeWalk struct {
	files     *fileReader
	base      string
	set       *Set
	log       *slog.Logger
	kusts     []kustomization
	manifests []string
}

// kustomization is a directory holding a kustomization file.
type kustomization struct{ dir, file string }

func (w *treeWalk) fileProblem(p string, err error) {
	w.set.Problems = append(w.set.Problems, findings.Problem{Source: findings.Source{File: rel(w.files.root, p)}, Message: err.Error()})
}

// visit is the WalkDirFunc of the walk.
func (w *treeWalk) visit(p string, d fs.DirEntry, err error) error {
	root := w.files.root
	if err != nil {
		if p == w.base {
			return err
		}
		w.fileProblem(p, w.files.scrub(err))
		if d != nil && d.IsDir() {
			return filepath.SkipDir
		}
		return nil
	}
	if d.Type()&fs.ModeSymlink != 0 {
		if isManifestName(p) {
			w.manifests = append(w.manifests, p)
			return nil
		}
		_, fi, err := w.files.resolve(p)
		switch {
		case errors.Is(err, errOutsideRoot) || errors.Is(err, errLinkLoop):
			w.fileProblem(p, err)
		case err == nil && fi.IsDir():
			w.log.Info("symbolic link to a directory not followed", "path", rel(root, p))
		}
		return nil
	}
	if d.IsDir() {
		if p != w.base && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(p, "Chart.yaml")); err == nil {
			w.log.Info("skipping a Helm chart: render it into the declared repo to audit it", "dir", rel(root, p))
			return filepath.SkipDir
		}
		if f := kustomizationFile(w.files, p); f != "" {
			w.kusts = append(w.kusts, kustomization{dir: filepath.Clean(p), file: f})
			return filepath.SkipDir
		}
		return nil
	}
	if isManifestName(p) {
		w.manifests = append(w.manifests, p)
	}
	return nil
}

// buildKustomizations builds every kustomization no other one in the
// tree uses as a local base (those are built through their overlay).
func (w *treeWalk) buildKustomizations() {
	root := w.files.root
	referenced := map[string]bool{}
	for _, k := range w.kusts {
		for _, b := range localBases(w.files, k.dir, k.file) {
			referenced[b] = true
		}
	}
	kb := &kustomizeBuilder{root: root, reader: w.files, files: map[string][]Object{}}
	for _, k := range w.kusts {
		if referenced[k.dir] {
			w.log.Debug("kustomization built through the overlay that uses it", "dir", rel(root, k.dir))
			continue
		}
		objs, problems := kb.build(k.dir, k.file)
		w.set.Objects = append(w.set.Objects, objs...)
		w.set.Problems = append(w.set.Problems, problems...)
	}
}

// parsedFile is what one manifest file holds, or why it was not read.
type parsedFile struct {
	path     string
	objs     []Object
	problems []findings.Problem
	err      error
}

// parseFiles reads and parses the manifest files on every CPU, and returns
// their results in the order of paths. At most one file per CPU is held in
// memory at once.
func parseFiles(files *fileReader, paths []string) []parsedFile {
	out := make([]parsedFile, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		wg.Go(func() {
			for i := range next {
				r := parsedFile{path: paths[i]}
				var data []byte
				if data, r.err = files.read(paths[i]); r.err == nil {
					r.objs, r.problems = parseManifests(rel(files.root, paths[i]), data)
				}
				out[i] = r
			}
		})
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// isManifestName reports the file names read as manifests.
func isManifestName(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func rel(root, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}
