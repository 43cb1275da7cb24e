// Package sarifschema validates SARIF documents in tests against the
// official SARIF 2.1.0 JSON Schema (OASIS, errata 01). The schema is not
// part of this repository: it is read from the zip of a Go module that
// ships it, downloaded at a pinned version with `go mod download`.
package sarifschema

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/clusterscribe/clusterscribe/internal/gomodule"
)

// Module at Version ships the schema, at File in its zip.
const (
	Module  = "github.com/securego/gosec/v2"
	Version = "v2.29.0"
	File    = "report/sarif/testdata/sarif-schema-2.1.0.json"
	// ID is the schema's id: the official location of SARIF 2.1.0.
	ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

var (
	once    sync.Once
	schema  *jsonschema.Schema
	errLoad error
)

// load downloads the module (from the module cache when it is there)
// and compiles the schema.
func load() (*jsonschema.Schema, error) {
	once.Do(func() {
		dir, err := gomodule.Dir(context.Background(), Module, Version)
		if err != nil {
			errLoad = err
			return
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(File)))
		if err != nil {
			errLoad = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			errLoad = fmt.Errorf("%s: %w", File, err)
			return
		}
		if m, ok := doc.(map[string]any); !ok || m["id"] != ID {
			errLoad = fmt.Errorf("%s in %s@%s is not the SARIF 2.1.0 schema %s", File, Module, Version, ID)
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if err := c.AddResource(ID, doc); err != nil {
			errLoad = err
			return
		}
		schema, errLoad = c.Compile(ID)
	})
	return schema, errLoad
}

// Check reports whether doc is valid SARIF 2.1.0 (nil) or what is wrong
// with it. It fails the test when the schema cannot be had.
func Check(t testing.TB, doc []byte) error {
	t.Helper()
	s, err := load()
	if err != nil {
		t.Fatalf("SARIF 2.1.0 schema: %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("%s", strings.TrimSpace(fmt.Sprintf("%#v", err)))
	}
	return nil
}

// Validate fails the test unless doc is valid SARIF 2.1.0.
func Validate(t testing.TB, name string, doc []byte) {
	t.Helper()
	if err := Check(t, doc); err != nil {
		t.Errorf("%s is not valid SARIF 2.1.0: %v", name, err)
	}
}
