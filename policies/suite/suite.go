package suite

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Suite's API group and kind.
const (
	Group = "test.gatekeeper.sh"
	Kind  = "Suite"
)

// Suite is a set of tests, each a template and a constraint with cases.
type Suite struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name,omitempty"`
	} `json:"metadata"`
	Tests []Test `json:"tests"`
	// Skip skips the whole suite.
	Skip bool `json:"skip,omitempty"`
}

// Test is one template and constraint, and the cases run on them.
type Test struct {
	Name string `json:"name"`
	// Template is the ConstraintTemplate's file, relative to the Suite,
	// or a ValidatingAdmissionPolicy's.
	Template string `json:"template"`
	// Constraint is the Constraint's file, relative to the Suite, or a
	// ValidatingAdmissionPolicyBinding's (with its params objects).
	Constraint string `json:"constraint"`
	// Expansion, when set, is a file of Gatekeeper ExpansionTemplates
	// applied to every case's object (a clusterscribe addition to the
	// Suite format: gator takes them from its inputs).
	Expansion string `json:"expansion,omitempty"`
	// Cases are the objects to review. Mutually exclusive with Invalid.
	Cases []Case `json:"cases,omitempty"`
	// Invalid says the Constraint must be rejected by the template's
	// parameter schema.
	Invalid bool `json:"invalid,omitempty"`
	Skip    bool `json:"skip,omitempty"`
}

// Case reviews one object.
type Case struct {
	Name string `json:"name"`
	// Object is the file of the object to review (or an AdmissionReview).
	Object string `json:"object"`
	// Inventory are files of objects put in data.inventory.
	Inventory []string `json:"inventory,omitempty"`
	// Assertions must all hold.
	Assertions []Assertion `json:"assertions"`
	Skip       bool        `json:"skip,omitempty"`
}

// Assertion is a statement about the violations of a review.
type Assertion struct {
	// Violations is "yes" (at least one, the default), "no", or how many.
	Violations *intstr.IntOrString `json:"violations,omitempty"`
	// Message, when set, is a regular expression: only the violations
	// whose message it matches count.
	Message *string `json:"message,omitempty"`
}

// yamlExtensions are the files Find reads in directories.
var yamlExtensions = []string{".yaml", ".yml"}

// Find returns the Suite files among paths: files are taken as they are;
// directories are walked for .yaml/.yml files holding a Suite. It fails
// when a path cannot be read or no Suite is found.
func Find(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("find suites: %w", err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !slices.Contains(yamlExtensions, strings.ToLower(filepath.Ext(path))) {
				return nil
			}
			ok, err := isSuite(path)
			if ok {
				out = append(out, path)
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("find suites: %w", err)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("find suites: no Suite (apiVersion %s/v1alpha1, kind %s) in %s", Group, Kind, strings.Join(paths, ", "))
	}
	return out, nil
}

// isSuite reports whether a file's first document is a Suite.
func isSuite(path string) (bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	var head struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
	}
	if yaml.Unmarshal(data, &head) != nil || head.Kind == "" {
		return false, nil // not a Suite, whatever it is
	}
	return head.Kind == Kind && strings.HasPrefix(head.APIVersion, Group+"/"), nil
}

// Read decodes a Suite file strictly: an unknown field is an error.
func Read(path string) (*Suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read suite: %w", err)
	}
	s, err := decodeSuite(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid Suite: %w", path, err)
	}
	if s.Kind != Kind || !strings.HasPrefix(s.APIVersion, Group+"/") {
		return nil, fmt.Errorf("%s: apiVersion %q kind %q is not a Suite (want %s/v1alpha1, %s)", path, s.APIVersion, s.Kind, Group, Kind)
	}
	var errs []error
	for i, t := range s.Tests {
		if t.Invalid && len(t.Cases) > 0 {
			errs = append(errs, fmt.Errorf("%s: tests[%d] %q: invalid and cases are mutually exclusive", path, i, t.Name))
		}
		for j, c := range t.Cases {
			for k, a := range c.Assertions {
				if err := a.validate(); err != nil {
					errs = append(errs, fmt.Errorf("%s: tests[%d].cases[%d].assertions[%d]: %w", path, i, j, k, err))
				}
			}
		}
	}
	return s, errors.Join(errs...)
}

// decodeSuite decodes a Suite as gator does, in YAML 1.2 (violations: yes
// and no are strings), strictly: an unknown field is an error.
func decodeSuite(data []byte) (*Suite, error) {
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	s := &Suite{}
	if err := dec.Decode(s); err != nil {
		return nil, err
	}
	return s, nil
}
