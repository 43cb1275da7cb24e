package treecheck_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
)

func writeFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
