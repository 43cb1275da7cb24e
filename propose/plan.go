package propose

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/propose/edit"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// change is what one drifted object contributes to a branch.
type change struct {
	finding findings.Finding
	targets []target          // edits of declared files
	adopt   map[string][]byte // new files (adopted Unmanaged objects)
	notes   []string
}

// branch is one branch and its pull request.
type branch struct {
	name    string
	changes []*change
	files   map[string][]byte // the content each changed file gets
	extra   []string          // notes of the edits themselves
}

func (b *branch) fileList() []string {
	out := make([]string, 0, len(b.files))
	for f := range b.files {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

func (b *branch) notes() []string {
	var out []string
	for _, c := range b.changes {
		for _, n := range c.notes {
			out = append(out, c.finding.Object.String()+": "+n)
		}
	}
	return append(out, b.extra...)
}

func (b *branch) objects() []findings.ObjectRef {
	out := make([]findings.ObjectRef, 0, len(b.changes))
	for _, c := range b.changes {
		out = append(out, c.finding.Object)
	}
	return out
}

// planner turns findings into changes.
type planner struct {
	files   fileReader
	dirty   func(path string) bool
	origin  *origin
	live    LiveReader
	ser     *serializer.Serializer
	cfg     *Config
	cluster string
}

// secretData are the fields of a Secret whose values never leave the
// cluster.
var secretData = map[string]bool{"data": true, "stringData": true, "binaryData": true}

// modified plans the edits of a Modified finding: each drifted field is
// written with its live value where it is declared, or removed where the
// live object no longer has it.
func (p *planner) modified(ctx context.Context, f findings.Finding) (*change, error) {
	c := &change{finding: f}
	if f.Source == nil || f.Source.File == "" {
		c.notes = append(c.notes, "no declaration to edit")
		return c, nil
	}
	if p.dirty(f.Source.File) {
		c.notes = append(c.notes, fmt.Sprintf("%s has uncommitted changes: not edited", f.Source.File))
		return c, nil
	}
	var decl map[string]any
	if !strings.Contains(f.Source.File, "//") {
		content, err := p.files.ReadFile(f.Source.File)
		if err == nil {
			decl, err = edit.Decode(content, f.Source.Line)
		}
		if err != nil {
			c.notes = append(c.notes, fmt.Sprintf("the declaration at %s could not be read: not edited", f.Source))
			return c, nil
		}
	}
	obj, err := p.get(ctx, c)
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return c, nil
	}
	norm, err := p.ser.Normalize(obj)
	if err != nil {
		return nil, fmt.Errorf("propose %s: %w", f.Object, err)
	}
	for _, s := range f.Paths {
		fp, err := edit.ParsePath(s)
		if err != nil {
			c.notes = append(c.notes, fmt.Sprintf("%s: %v", s, err))
			continue
		}
		if serializer.IsSecret(schema.GroupKind{Group: f.Object.Group(), Kind: f.Object.Kind}) && secretData[fp[0].Key] {
			c.notes = append(c.notes, fmt.Sprintf("%s: values of Secrets are never written to Git", s))
			continue
		}
		v, ok := fp.Lookup(norm.Object)
		op := edit.Op{Path: fp, Value: v, Delete: !ok}
		t, note := p.origin.resolve(f, decl, op)
		if note != "" {
			c.notes = append(c.notes, note)
			continue
		}
		c.targets = append(c.targets, t)
	}
	return c, nil
}

// get reads the live object of c's finding: nil, with a note on c, when it
// was deleted since the audit read it.
func (p *planner) get(ctx context.Context, c *change) (*unstructured.Unstructured, error) {
	obj, err := p.live.Get(ctx, c.finding.Object)
	if apierrors.IsNotFound(err) {
		c.notes = append(c.notes, "deleted live since the audit read it")
		return nil, nil
	}
	return obj, err
}

// unmanaged plans the file that adopts an Unmanaged object.
func (p *planner) unmanaged(ctx context.Context, f findings.Finding) (*change, error) {
	c := &change{finding: f}
	if serializer.IsSecret(schema.GroupKind{Group: f.Object.Group(), Kind: f.Object.Kind}) {
		c.notes = append(c.notes, "Secrets are not adopted: their values never leave the cluster")
		return c, nil
	}
	obj, err := p.get(ctx, c)
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return c, nil
	}
	content, err := p.render(obj)
	if err != nil {
		return nil, err
	}
	file := adoptPath(p.cfg.AdoptDir, f.Object)
	if _, err := p.files.ReadFile(file); err == nil {
		c.notes = append(c.notes, fmt.Sprintf("%s already exists: not overwritten", file))
		return c, nil
	}
	c.adopt = map[string][]byte{file: content}
	return c, nil
}

// render is an adopted object's file: normalized, canonical YAML.
func (p *planner) render(obj *unstructured.Unstructured) ([]byte, error) {
	norm, err := p.ser.Normalize(obj)
	if err != nil {
		return nil, fmt.Errorf("adopt: %w", err)
	}
	out, err := serializer.Marshal(norm.Object)
	if err != nil {
		return nil, fmt.Errorf("adopt: %w", err)
	}
	return out, nil
}

// adoptPath is <dir>/<namespace or _cluster>/<kind>[.<group>]-<name>.yaml.
func adoptPath(dir string, o findings.ObjectRef) string {
	ns, kind := nameParts(o)
	// NamePath splits names too long for one file name into directories.
	return path.Join(dir, serializer.EncodeSegment(ns), serializer.NamePath(kind+"-"+o.Name))
}

// build applies the changes of a branch to the base's files: edits of one
// file go document by document from the bottom up, so that lines above
// stay where the audit saw them.
func (b *branch) build(files fileReader) error {
	b.files = map[string][]byte{}
	type docOps struct {
		line int
		ops  []edit.Op
	}
	byFile := map[string][]*docOps{}
	for _, c := range b.changes {
		for f, content := range c.adopt {
			b.files[f] = content
		}
		for _, t := range c.targets {
			docs := byFile[t.file]
			i := slices.IndexFunc(docs, func(d *docOps) bool { return d.line == t.line })
			if i < 0 {
				docs = append(docs, &docOps{line: t.line})
				i = len(docs) - 1
			}
			docs[i].ops = append(docs[i].ops, t.ops...)
			byFile[t.file] = docs
		}
	}
	for file, docs := range byFile {
		content, err := files.ReadFile(file)
		if err != nil {
			return err
		}
		slices.SortFunc(docs, func(a, b *docOps) int { return b.line - a.line })
		changed := false
		for _, d := range docs {
			res, err := edit.Apply(content, d.line, d.ops)
			if err != nil {
				var names []string
				for _, o := range d.ops {
					names = append(names, o.Path.String())
				}
				b.extra = append(b.extra, fmt.Sprintf("%s: %s could not be edited: %v", file, strings.Join(names, ", "), err))
				continue
			}
			if res.Reformatted {
				b.extra = append(b.extra, fmt.Sprintf("%s: the document at line %d could not be edited in place and was rewritten whole (comments kept, layout normalized)", file, d.line))
			}
			content, changed = res.Content, true
		}
		if changed {
			b.files[file] = content
		}
	}
	return nil
}
