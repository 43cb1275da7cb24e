// Package gomodule fetches Go modules at pinned versions through the Go
// module proxy (`go mod download`), for tests that use files shipped in a
// module's zip without copying them into this repository.
package gomodule

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
)

// Dir downloads module@version (or finds it in the module cache) and
// returns the directory it is extracted in.
func Dir(ctx context.Context, module, version string) (string, error) {
	tmp, err := os.MkdirTemp("", "gomodule")
	if err != nil {
		return "", fmt.Errorf("go mod download: %w", err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", module+"@"+version)
	// Outside any module: the download does not depend on this one.
	cmd.Dir = tmp
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); err != nil || jerr != nil || info.Dir == "" {
		return "", fmt.Errorf("go mod download -json %s@%s (needs the Go module proxy): %v %v %s", module, version, err, jerr, info.Error)
	}
	return info.Dir, nil
}
