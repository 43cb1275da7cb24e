package policies

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// Manifest is one object read from a file.
type Manifest struct {
	Object *unstructured.Unstructured
	Source findings.Source
	// Request is set when the file held an AdmissionReview: Object is then
	// the object it reviews (the old object on DELETE).
	Request *Request
}

// manifestExtensions are the files ReadManifests reads in directories.
var manifestExtensions = []string{".yaml", ".yml", ".json"}

// ReadManifests reads objects from files and directories (every .yaml,
// .yml and .json file below, sorted); "-" reads stdin. Multi-document
// files and v1 Lists are split into their objects. A document that is not
// a valid object is a problem, not an error: the rest is still read. The
// error is for paths that cannot be read at all.
func ReadManifests(paths []string, stdin io.Reader) ([]Manifest, []findings.Problem, error) {
	var files []string
	for _, p := range paths {
		if p == "-" {
			files = append(files, p)
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("read manifests: %w", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && slices.Contains(manifestExtensions, strings.ToLower(filepath.Ext(path))) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("read manifests: %w", err)
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	var out []Manifest
	var problems []findings.Problem
	for _, f := range files {
		var data []byte
		var err error
		if f == "-" {
			data, err = io.ReadAll(stdin)
		} else {
			data, err = os.ReadFile(f)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read manifests: %w", err)
		}
		ms, ps := decodeManifests(f, data)
		out = append(out, ms...)
		problems = append(problems, ps...)
	}
	return out, problems, nil
}

// decodeManifests decodes the objects of one file.
func decodeManifests(file string, data []byte) ([]Manifest, []findings.Problem) {
	var out []Manifest
	var problems []findings.Problem
	for _, doc := range splitDocuments(data) {
		src := findings.Source{File: file, Line: doc.line}
		obj := map[string]any{}
		if err := utilyaml.Unmarshal(doc.text, &obj); err != nil {
			problems = append(problems, findings.Problem{Source: src, Message: "not valid YAML: " + err.Error()})
			continue
		}
		if len(obj) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		if IsAdmissionReview(u) {
			req, err := RequestFromAdmissionReview(u)
			if err != nil {
				problems = append(problems, findings.Problem{Source: src, Message: err.Error()})
				continue
			}
			out = append(out, Manifest{Object: req.reviewed(), Source: src, Request: &req})
			continue
		}
		if u.IsList() {
			list, err := u.ToList()
			if err != nil {
				problems = append(problems, findings.Problem{Source: src, Message: "not a valid list: " + err.Error()})
				continue
			}
			for i := range list.Items {
				item := &list.Items[i]
				if msg := checkManifest(item); msg != "" {
					problems = append(problems, findings.Problem{Source: src, Message: fmt.Sprintf("item %d: %s", i, msg)})
					continue
				}
				out = append(out, Manifest{Object: item, Source: src})
			}
			continue
		}
		if msg := checkManifest(u); msg != "" {
			problems = append(problems, findings.Problem{Source: src, Message: msg})
			continue
		}
		out = append(out, Manifest{Object: u, Source: src})
	}
	return out, problems
}

func checkManifest(u *unstructured.Unstructured) string {
	switch {
	case u.GetAPIVersion() == "" || u.GetKind() == "":
		return "apiVersion and kind are required"
	case u.GetName() == "" && u.GetGenerateName() == "":
		return "metadata.name is required"
	}
	return ""
}
