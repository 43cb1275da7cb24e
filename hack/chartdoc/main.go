// Command chartdoc writes a Helm chart's README.md from its README.md.gotmpl
// and the "# --" comments of its values.yaml: one table row per documented
// key (path, type, default, description). Every value must be documented,
// on its own key or on a parent's.
//
//	go run ./hack/chartdoc deploy/helm/clusterscribe          rewrite README.md
//	go run ./hack/chartdoc -check deploy/helm/clusterscribe   fail when README.md is out of date
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"

	"github.com/clusterscribe/clusterscribe/internal/atomicfile"
)

func main() {
	check := flag.Bool("check", false, "fail when README.md is not what the values generate, instead of writing it")
	flag.Usage = func() {
		_, _ = fmt.Fprintln(flag.CommandLine.Output(), "usage: chartdoc [-check] CHART-DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *check); err != nil {
		fmt.Fprintln(os.Stderr, "chartdoc:", err)
		os.Exit(1)
	}
}

func run(dir string, check bool) error {
	want, err := Generate(dir)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "README.md")
	if check {
		got, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("%s is out of date: run `go run ./hack/chartdoc %s`", path, dir)
		}
		return nil
	}
	return atomicfile.WriteBytes(path, atomicfile.Options{}, want)
}

// Value is one documented key of values.yaml.
type Value struct {
	Key, Type, Default, Description string
}

// chart is what README.md.gotmpl sees.
type chart struct {
	Name, Version, AppVersion, KubeVersion, Description string
	Values                                              []Value
}

// Generate renders the README of the chart in dir.
func Generate(dir string) ([]byte, error) {
	meta, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	var c chart
	if err := yaml.Unmarshal(meta, &struct {
		Name        *string `yaml:"name"`
		Version     *string `yaml:"version"`
		AppVersion  *string `yaml:"appVersion"`
		KubeVersion *string `yaml:"kubeVersion"`
		Description *string `yaml:"description"`
	}{&c.Name, &c.Version, &c.AppVersion, &c.KubeVersion, &c.Description}); err != nil {
		return nil, fmt.Errorf("read the chart's Chart.yaml: %w", err)
	}
	valuesPath := filepath.Join(dir, "values.yaml")
	data, err := os.ReadFile(valuesPath)
	if err != nil {
		return nil, err
	}
	if c.Values, err = Values(data); err != nil {
		return nil, fmt.Errorf("%s: %w", valuesPath, err)
	}
	tmpl, err := template.New("README.md.gotmpl").Funcs(template.FuncMap{"cell": cell}).
		ParseFiles(filepath.Join(dir, "README.md.gotmpl"))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, c); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Values lists the documented keys of a values file, in file order.
func Values(data []byte) ([]Value, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("not a mapping")
	}
	var out []Value
	var errs []error
	walk(doc.Content[0], "", false, &out, &errs)
	return out, errors.Join(errs...)
}

// walk adds the documented keys below m; documented says a parent is.
func walk(m *yaml.Node, prefix string, documented bool, out *[]Value, errs *[]error) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := prefix + k.Value
		desc, ok := description(k.HeadComment)
		if ok {
			def, err := defaultOf(v)
			if err != nil {
				*errs = append(*errs, fmt.Errorf("line %d: %s: %w", k.Line, key, err))
			}
			*out = append(*out, Value{Key: key, Type: typeOf(v), Default: def, Description: desc})
		}
		if v.Kind == yaml.MappingNode && len(v.Content) > 0 {
			walk(v, key+".", documented || ok, out, errs)
			continue
		}
		if !documented && !ok {
			*errs = append(*errs, fmt.Errorf("line %d: %s has no \"# --\" comment (document it, or its parent)", k.Line, key))
		}
	}
}

// description is the text of a "# --" comment and the comment lines after
// it; ok is false without one.
func description(comment string) (string, bool) {
	var parts []string
	found := false
	for _, l := range strings.Split(comment, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "# --"):
			found = true
			parts = []string{strings.TrimSpace(strings.TrimPrefix(l, "# --"))}
		case found && strings.HasPrefix(l, "#"):
			parts = append(parts, strings.TrimSpace(strings.TrimPrefix(l, "#")))
		case found && l == "":
			// A blank line ends a comment block that yaml folds into one.
			found = false
		}
	}
	if parts == nil {
		return "", false
	}
	return strings.Join(parts, " "), true
}

func typeOf(v *yaml.Node) string {
	switch v.Kind {
	case yaml.MappingNode:
		return "object"
	case yaml.SequenceNode:
		return "list"
	}
	switch v.Tag {
	case "!!int":
		return "int"
	case "!!float":
		return "float"
	case "!!bool":
		return "bool"
	case "!!null":
		return "null"
	}
	return "string"
}

// defaultOf renders a value as compact JSON.
func defaultOf(v *yaml.Node) (string, error) {
	var x any
	if err := v.Decode(&x); err != nil {
		return "", err
	}
	b, err := json.Marshal(x)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// cell makes text safe in a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
