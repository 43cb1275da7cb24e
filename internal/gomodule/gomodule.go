// Package gomodule fetches Go modules at pinned versions through the Go
// module proxy (`go mod download`), for tests that use files shipped in a
// module's zip without copying them into this repository.
package gomodule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// errNoDir is a download that names no directory.
var errNoDir = errors.New("no module directory")

// Dir downloads module@version (or finds it in the module cache) and
// returns the directory it is extracted in.
func Dir(ctx context.Context, module, version string) (string, error) {
	tmp, err := os.MkdirTemp("", "gomodule")
	if err != nil {
		return "", fmt.Errorf("go mod download: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", module+"@"+version)
	// Outside any module: the download does not depend on this one.
	cmd.Dir = tmp
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr != nil && err == nil {
		err = jerr
	}
	if err == nil && info.Dir == "" {
		err = errNoDir
	}
	if err != nil {
		return "", fmt.Errorf("go mod download -json %s@%s (needs the Go module proxy): %s: %w", module, version, info.Error, err)
	}
	return info.Dir, nil
}
