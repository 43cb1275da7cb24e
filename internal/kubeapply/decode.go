// Package kubeapply reads manifests and applies them to a cluster with
// server-side apply, in dependency order (CRDs first, waiting until they
// are established). The demo and the tests seed clusters with it.
package kubeapply

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/clusterscribe/clusterscribe/internal/yamldoc"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Manifest is one object read from a file.
type Manifest struct {
	File   string
	Object *unstructured.Unstructured
}

// ReadDir reads every .yaml/.yml file below dir (sorted), multi-document
// files included. Empty documents are skipped.
func ReadDir(dir string) ([]Manifest, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read manifests in %s: %w", dir, err)
	}
	slices.Sort(files)
	var out []Manifest
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read manifests: %w", err)
		}
		objs, err := Decode(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, o := range objs {
			out = append(out, Manifest{File: f, Object: o})
		}
	}
	return out, nil
}

// Decode splits a multi-document YAML stream into objects (yamldoc's
// rules). Documents without content and empty objects are skipped; an
// error names the document's line.
func Decode(data []byte) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, doc := range yamldoc.Split(data) {
		if doc.Empty() {
			continue
		}
		obj := &unstructured.Unstructured{}
		if err := utilyaml.Unmarshal(doc.Data, &obj.Object); err != nil {
			return nil, fmt.Errorf("line %d: %w", doc.ContentLine, err)
		}
		if len(obj.Object) == 0 {
			continue
		}
		if obj.GetKind() == "" || obj.GetAPIVersion() == "" {
			return nil, fmt.Errorf("line %d: apiVersion and kind are required", doc.ContentLine)
		}
		out = append(out, obj)
	}
	return out, nil
}
