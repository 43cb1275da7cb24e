package policies

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// userFiles are the policy files found in the user's directories.
type userFiles struct {
	rego        map[string]string
	templates   []*template
	constraints []constraint
	vaps        []*vapDoc
	bindings    []*bindingDoc
	// objects are the other objects, where the params of bindings are
	// looked up.
	objects []*unstructured.Unstructured
}

// user loads the user policies of every directory as one set: Rego files
// are compiled together (packages may span directories, as with conftest),
// and a Constraint may use a template from any directory.
func (l *loader) user(ctx context.Context, dirs []string) ([]*policy, error) {
	uf := &userFiles{rego: map[string]string{}}
	for _, dir := range dirs {
		if err := l.readDir(dir, uf); err != nil {
			return nil, err
		}
	}
	out, err := l.conftest(ctx, uf.rego)
	if err != nil {
		return nil, err
	}
	compiled := map[string]*compiledTemplate{}
	var errs CompileError
	for _, t := range uf.templates {
		if prev, ok := compiled[t.kind]; ok {
			return nil, fmt.Errorf("%s:%d: ConstraintTemplate for kind %s is also defined at %s:%d", t.file, t.line, t.kind, prev.file, prev.line)
		}
		ct, err := l.compileTemplate(ctx, t)
		if errs.gather(err) {
			compiled[t.kind] = &compiledTemplate{template: t}
			continue
		}
		if err != nil {
			return nil, err
		}
		compiled[t.kind] = ct
	}
	if len(errs.Errors) > 0 {
		// Report the policies' CEL errors too.
		_, err := l.vapPolicies(uf)
		errs.gather(err)
		return nil, &errs
	}
	used := map[string]bool{}
	for _, c := range uf.constraints {
		ct, ok := compiled[c.obj.GetKind()]
		if !ok {
			return nil, fmt.Errorf("%s: Constraint %s/%s: no ConstraintTemplate defines kind %s", c.where(), c.obj.GetKind(), c.obj.GetName(), c.obj.GetKind())
		}
		used[ct.kind] = true
		p, err := constraintPolicy(ct, c)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	for _, t := range uf.templates {
		if !used[t.kind] {
			l.log.Info("ConstraintTemplate has no Constraint: nothing to evaluate", "template", t.name, "file", t.file)
		}
	}
	vaps, err := l.vapPolicies(uf)
	if err != nil {
		return nil, err
	}
	return append(out, vaps...), nil
}

// readDir collects the policy files below dir (or dir itself when it is a
// file): .rego files (tests, *_test.rego, left out) and the
// ConstraintTemplates and Constraints of .yaml/.yml files. Other YAML
// documents are skipped.
func (l *loader) readDir(dir string, uf *userFiles) error {
	files, err := policyFiles(dir)
	if err != nil {
		return err
	}
	for _, f := range files {
		switch ext := strings.ToLower(filepath.Ext(f)); {
		case ext == ".rego" && !strings.HasSuffix(f, "_test.rego"):
			data, err := os.ReadFile(f)
			if err != nil {
				return fmt.Errorf("--%s: %w", flagPolicies, err)
			}
			uf.rego[f] = string(data)
		case ext == ".yaml" || ext == ".yml":
			if err := l.readYAML(f, uf); err != nil {
				return err
			}
		}
	}
	return nil
}

// policyFiles lists the files below dir (hidden directories left out),
// sorted, or dir itself when it is a file.
func policyFiles(dir string) ([]string, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flagPolicies, err)
	}
	var files []string
	if st.IsDir() {
		err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", flagPolicies, err)
		}
		slices.Sort(files)
	} else {
		files = []string{dir}
	}
	return files, nil
}

func (l *loader) readYAML(file string, uf *userFiles) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("--%s: %w", flagPolicies, err)
	}
	for _, doc := range splitDocuments(data) {
		obj := map[string]any{}
		if err := utilyaml.Unmarshal(doc.text, &obj); err != nil {
			return fmt.Errorf("%s:%d: not valid YAML: %w", file, doc.line, err)
		}
		u := &unstructured.Unstructured{Object: obj}
		if isExpansionTemplate(u) {
			et, err := parseExpansion(file, doc.line, u)
			if err != nil {
				return err
			}
			l.expansions = append(l.expansions, et)
			continue
		}
		v, b, err := vapDocOf(file, doc, u)
		if err != nil {
			return err
		}
		t, c, err := gatekeeperDoc(file, doc, u)
		switch {
		case err != nil:
			return err
		case v != nil:
			uf.vaps = append(uf.vaps, v)
		case b != nil:
			uf.bindings = append(uf.bindings, b)
		case t != nil:
			uf.templates = append(uf.templates, t)
		case c != nil:
			uf.constraints = append(uf.constraints, *c)
		default:
			l.log.Debug("not a policy: kept for params", "file", file, "line", doc.line, "kind", u.GetKind())
			uf.objects = append(uf.objects, u)
		}
	}
	return nil
}
