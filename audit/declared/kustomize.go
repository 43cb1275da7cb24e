package declared

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// kustomizationFiles are the names kustomize recognizes, in its order.
var kustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// originAnnotation is where kustomize records the file a resource came
// from when buildMetadata holds originAnnotations.
const originAnnotation = "config.kubernetes.io/origin"

// kustomizationFile returns the kustomization file's name in dir, or "".
// A link named like one that leads out of the tree still counts, so that
// the build reports it.
func kustomizationFile(files *fileReader, dir string) string {
	for _, name := range kustomizationFiles {
		p := filepath.Join(dir, name)
		if fi, err := os.Lstat(p); err == nil && !fi.IsDir() {
			if _, fi, err := files.resolve(p); err == nil && fi.IsDir() {
				continue
			}
			return name
		}
	}
	return ""
}

// localBases returns the directories a kustomization refers to as
// resources, bases or components, so that a base is built through its
// overlay and not a second time on its own.
func localBases(files *fileReader, dir, file string) []string {
	data, err := files.read(filepath.Join(dir, file))
	if err != nil {
		return nil
	}
	var k struct {
		Resources  []string `json:"resources"`
		Bases      []string `json:"bases"`
		Components []string `json:"components"`
	}
	if err := sigsyaml.Unmarshal(data, &k); err != nil {
		return nil
	}
	var out []string
	for _, r := range slices.Concat(k.Resources, k.Bases, k.Components) {
		if strings.Contains(r, "://") || strings.HasPrefix(r, "github.com/") {
			continue
		}
		p := filepath.Join(dir, r)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			out = append(out, filepath.Clean(p))
		}
	}
	return out
}

// originFS serves the root kustomization file with originAnnotations added
// to its buildMetadata, so that every built resource names its file. Every
// other file is read through the tree's fileReader: inside the tree only,
// regular files only, within the size limit.
type originFS struct {
	filesys.FileSystem
	reader  *fileReader
	path    string
	content []byte
}

func (f originFS) ReadFile(p string) ([]byte, error) {
	if filepath.Clean(p) == f.path {
		return f.content, nil
	}
	data, err := f.reader.read(p)
	if err == nil {
		err = aliasProblem(data)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.reader.relName(p), err)
	}
	return data, nil
}

// CleanedAbs refuses directories outside the tree: kustomize resolves
// every base and resource directory through it.
func (f originFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	dir, file, err := f.FileSystem.CleanedAbs(p)
	if err != nil {
		return dir, file, err
	}
	if !f.reader.inside(string(dir)) {
		return "", "", fmt.Errorf("%s: %w", f.reader.relName(p), errOutsideRoot)
	}
	return dir, file, nil
}

func (f originFS) Open(p string) (filesys.File, error) {
	if _, _, err := f.reader.resolve(p); err != nil {
		return nil, fmt.Errorf("%s: %w", f.reader.relName(p), err)
	}
	return f.FileSystem.Open(p)
}

// withOriginAnnotations returns the kustomization with originAnnotations in
// buildMetadata, and whether the user had asked for them already (then the
// live objects carry them too and they are kept).
func withOriginAnnotations(data []byte) ([]byte, bool, error) {
	var k map[string]any
	if err := sigsyaml.Unmarshal(data, &k); err != nil {
		return nil, false, err
	}
	if k == nil {
		k = map[string]any{}
	}
	meta, _ := k["buildMetadata"].([]any)
	for _, m := range meta {
		if m == "originAnnotations" {
			return data, true, nil
		}
	}
	k["buildMetadata"] = append(meta, "originAnnotations")
	out, err := sigsyaml.Marshal(k)
	return out, false, err
}

// kustomizeBuilder builds kustomizations below root, remembering parsed
// files to find the line of each built resource.
type kustomizeBuilder struct {
	root   string
	reader *fileReader
	files  map[string][]Object // by absolute path
}

// build runs kustomize on dir. A failed build is one problem, reported on
// the kustomization file.
func (b *kustomizeBuilder) build(dir, file string) ([]Object, []findings.Problem) {
	kustPath := filepath.Join(dir, file)
	rel := b.rel(kustPath)
	fail := func(err error) ([]Object, []findings.Problem) {
		msg := strings.ReplaceAll(err.Error(), b.root+string(filepath.Separator), "")
		return nil, []findings.Problem{{Source: findings.Source{File: rel}, Message: "kustomize build: " + msg}}
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fail(err)
	}
	data, err := b.reader.read(kustPath)
	if err != nil {
		return nil, []findings.Problem{{Source: findings.Source{File: rel}, Message: err.Error()}}
	}
	if err := aliasProblem(data); err != nil {
		return fail(fmt.Errorf("%s: %w", file, err))
	}
	content, userOrigins, err := withOriginAnnotations(data)
	if err != nil {
		return fail(fmt.Errorf("malformed %s: %w", file, err))
	}
	fsys := originFS{FileSystem: filesys.MakeFsOnDisk(), reader: b.reader, path: filepath.Join(realDir, file), content: content}
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fsys, realDir)
	if err != nil {
		return fail(err)
	}
	var objs []Object
	for _, res := range m.Resources() {
		origin, _ := res.GetOrigin()
		js, err := res.MarshalJSON()
		if err != nil {
			return fail(err)
		}
		obj, err := decodeJSON(js)
		if err != nil {
			return fail(err)
		}
		u := &unstructured.Unstructured{Object: obj}
		if !userOrigins {
			dropAnnotation(u, originAnnotation)
		}
		objs = append(objs, Object{Object: u, Source: b.source(dir, kustPath, origin, u)})
	}
	return objs, nil
}

func (b *kustomizeBuilder) rel(p string) string {
	r, err := filepath.Rel(b.root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}

// source locates a built resource: the file it was read from and the line
// of its document, or the kustomization that generated it.
func (b *kustomizeBuilder) source(dir, kustPath string, origin *resource.Origin, u *unstructured.Unstructured) findings.Source {
	switch {
	case origin == nil:
		return findings.Source{File: b.rel(kustPath)}
	case origin.Repo != "":
		return findings.Source{File: gitremote.Scrub(origin.Repo) + "//" + origin.Path}
	case origin.ConfiguredIn != "":
		file := filepath.Join(dir, origin.ConfiguredIn)
		return findings.Source{File: b.rel(file), Line: generatorLine(b.reader, file, u.GetKind())}
	}
	file := filepath.Join(dir, origin.Path)
	return findings.Source{File: b.rel(file), Line: b.lineOf(file, u)}
}

// lineOf finds the document in file that declares u before kustomize's
// transformations: same kind, and a name the built one contains (name
// prefixes and suffixes).
func (b *kustomizeBuilder) lineOf(file string, u *unstructured.Unstructured) int {
	objs, ok := b.files[file]
	if !ok {
		data, err := b.reader.read(file)
		if err == nil {
			objs, _ = parseManifests(file, data)
		}
		b.files[file] = objs
	}
	best, bestLen := 0, -1
	for _, o := range objs {
		if o.Object.GetKind() != u.GetKind() || !strings.Contains(u.GetName(), o.Object.GetName()) {
			continue
		}
		if n := len(o.Object.GetName()); n > bestLen {
			best, bestLen = o.Source.Line, n
		}
	}
	return best
}

var generatorKeyRE = regexp.MustCompile(`(?m)^(configMapGenerator|secretGenerator)\s*:`)

// generatorLine is the line of the generator section that makes objects of
// kind in a kustomization file, or 0.
func generatorLine(files *fileReader, file, kind string) int {
	data, err := files.read(file)
	if err != nil {
		return 0
	}
	want := map[string]string{"ConfigMap": "configMapGenerator", "Secret": "secretGenerator"}[kind]
	for _, loc := range generatorKeyRE.FindAllSubmatchIndex(data, -1) {
		if string(data[loc[2]:loc[3]]) == want {
			return bytes.Count(data[:loc[0]], []byte("\n")) + 1
		}
	}
	return 0
}

func decodeJSON(js []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	m, ok := fixNumbers(v).(map[string]any)
	if !ok {
		return nil, errors.New("resource is not a mapping")
	}
	return m, nil
}

func dropAnnotation(u *unstructured.Unstructured, key string) {
	meta, _ := u.Object["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	if _, ok := ann[key]; !ok {
		return
	}
	delete(ann, key)
	if len(ann) == 0 {
		delete(meta, "annotations")
	}
}
