package secretscan

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Hit is one secret value found in an artifact. It never holds the value.
type Hit struct {
	// Artifact is the file, log or repository the value was found in.
	Artifact string
	// Secret says which value: where it was registered, or that it is a
	// canary this process did not register.
	Secret string
	// Form is the spelling found: plain, base64, base64 at offset 1…
	Form string
	// Line is the line of the first occurrence in a text artifact.
	Line int
	// Object is the Git object holding the value (blob, commit, tree or
	// tag), with its type; Commits and Path say where a blob or tree
	// appears in the history, reachable or not.
	Object, ObjectType string
	Commits            []string
	Path               string
}

func (h Hit) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s holds %s (%s)", h.Artifact, h.Secret, h.Form)
	if h.Line > 0 {
		fmt.Fprintf(&b, " at line %d", h.Line)
	}
	if h.Object != "" {
		fmt.Fprintf(&b, " in %s %s", h.ObjectType, h.Object)
	}
	if len(h.Commits) > 0 {
		fmt.Fprintf(&b, ", commit %s", strings.Join(h.Commits, ", "))
	}
	if h.Path != "" {
		fmt.Fprintf(&b, ", path %s", h.Path)
	}
	return b.String()
}

// Text searches data for every registered value and for any canary.
func Text(artifact string, data []byte) []Hit {
	canaries := false
	for _, f := range prefixForms {
		canaries = canaries || bytes.Contains(data, f.needle)
	}
	var hits []Hit
	var found [][]byte // canary spellings reported
	for _, v := range registered() {
		if v.canary && !canaries {
			continue // every spelling of a canary holds a spelling of Prefix
		}
		for _, f := range v.forms {
			if i := bytes.Index(data, f.needle); i >= 0 {
				hits = append(hits, Hit{Artifact: artifact, Secret: v.label, Form: f.name, Line: line(data, i)})
				if v.canary {
					found = append(found, f.needle)
				}
			}
		}
	}
	if !canaries {
		return hits
	}
	// A canary nobody here registered (another process made it, or a
	// fixture holds one) is a leak all the same. A canary's spelling
	// starts where the spelling of Prefix in the same form does.
	for _, f := range prefixForms {
		for i := 0; ; {
			j := bytes.Index(data[i:], f.needle)
			if j < 0 {
				break
			}
			i += j
			if !startsWithAny(data[i:], found) {
				hits = append(hits, Hit{Artifact: artifact, Secret: "a canary not registered in this process", Form: f.name, Line: line(data, i)})
				break
			}
			i++
		}
	}
	return hits
}

func startsWithAny(data []byte, prefixes [][]byte) bool {
	for _, p := range prefixes {
		if bytes.HasPrefix(data, p) {
			return true
		}
	}
	return false
}

func line(data []byte, i int) int { return bytes.Count(data[:i], []byte("\n")) + 1 }

// File searches one file.
func File(path string) ([]Hit, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", path, err)
	}
	return Text(path, data), nil
}

// Tree searches every file below root. A Git repository (a .git directory
// or a bare repository) is searched through git — objects are compressed
// on disk — with Repo. Paths in skip (files or directories) are left out:
// they are what a test planted, not what the tool wrote. Symbolic links
// are not followed.
func Tree(root string, skip ...string) ([]Hit, error) {
	skipped := map[string]bool{}
	for _, s := range skip {
		if abs, err := filepath.Abs(s); err == nil {
			skipped[abs] = true
		}
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	if _, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("scan: %w", err) // a scan of nothing proves nothing
	}
	var hits []Hit
	err = walk(root, func(p string, d fs.DirEntry) error {
		if skipped[p] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir() && (d.Name() == ".git" || isBareRepo(p)):
			h, err := Repo(p)
			if err != nil {
				return err
			}
			hits = append(hits, h...)
			return filepath.SkipDir
		case d.Type().IsRegular():
			h, err := presentFile(p)
			hits = append(hits, h...)
			return err
		}
		return nil
	})
	if err != nil {
		return hits, fmt.Errorf("scan %s: %w", root, err)
	}
	return hits, nil
}

// walk calls fn for every entry below root, in lexical order; an entry
// removed while walking is passed over.
func walk(root string, fn func(p string, d fs.DirEntry) error) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed while walking
		}
		if err != nil {
			return err
		}
		return fn(p, d)
	})
}

// presentFile searches the file at path as File does; a file removed
// since it was listed holds nothing.
func presentFile(path string) ([]Hit, error) {
	h, err := File(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return h, err
}

// isBareRepo reports whether dir looks like a Git directory: HEAD, objects
// and refs.
func isBareRepo(dir string) bool {
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}
