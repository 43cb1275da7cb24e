package deploy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

const modulePath = "github.com/clusterscribe/clusterscribe"

// TestGoInstall is what a user does: `go install
// github.com/clusterscribe/clusterscribe/cmd/clusterscribe@<version>` from an
// empty module cache, then `clusterscribe version`, which must print that
// version (from the build info; no ldflags).
func TestGoInstall(t *testing.T) {
	bin, version := installed(t)
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("clusterscribe version: %v\n%s", err, out)
	}
	if want := "clusterscribe " + version + " "; !strings.HasPrefix(string(out), want) {
		t.Errorf("clusterscribe version = %q, want it to start with %q", out, want)
	}
}

// install is the binary go install built, once per test run.
var install struct {
	once         sync.Once
	bin, version string
	err          error
	dir          string
}

// installed returns the clusterscribe binary `go install …@<version>`
// builds, and the version. The module comes from a file-based GOPROXY
// holding the working tree at a pseudo-version, and its dependencies from
// this machine's module cache download directory: the build stays
// offline. The module cache and GOPATH are new and empty.
func installed(t *testing.T) (string, string) {
	t.Helper()
	install.once.Do(func() { install.bin, install.version, install.err = goInstall(install.dir) })
	if install.err != nil {
		t.Fatal(install.err)
	}
	return install.bin, install.version
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "clusterscribe-install-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	install.dir = dir
	code := m.Run()
	// The module cache is read-only.
	_ = exec.Command("chmod", "-R", "u+w", dir).Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func goInstall(tmp string) (string, string, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", "", err
	}
	hash, when, err := headCommit(root)
	if err != nil {
		return "", "", err
	}
	version := module.PseudoVersion("v0", "", when, hash[:12])
	proxy := filepath.Join(tmp, "proxy")
	if err := publish(root, module.Version{Path: modulePath, Version: version}, when, proxy); err != nil {
		return "", "", err
	}
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return "", "", fmt.Errorf("go env GOMODCACHE: %w", err)
	}
	bin := filepath.Join(tmp, "bin")
	cmd := exec.Command("go", "install", modulePath+"/cmd/clusterscribe@"+version)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(),
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(strings.TrimSpace(string(modcache)), "cache", "download")),
		"GOMODCACHE="+filepath.Join(tmp, "modcache"),
		"GOPATH="+filepath.Join(tmp, "gopath"),
		"GOBIN="+bin,
		// -trimpath: compiled packages are shared with earlier runs
		// through the build cache, whatever the module cache's path.
		"GOFLAGS=-mod=mod -trimpath",
		"GOSUMDB=off", "GONOSUMDB=", "GOPRIVATE=", "GONOPROXY=",
		"GOWORK=off", "GOTOOLCHAIN=local", "GOENV=off",
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("go install %s/cmd/clusterscribe@%s: %w\n%s", modulePath, version, err, out)
	}
	return filepath.Join(bin, "clusterscribe"), version, nil
}

// headCommit returns the hash and commit time of HEAD.
func headCommit(root string) (string, time.Time, error) {
	out, err := exec.Command("git", "-C", root, "log", "-1", "--format=%H %ct").Output()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("git log: %w", err)
	}
	var hash string
	var unix int64
	if _, err := fmt.Sscan(string(out), &hash, &unix); err != nil {
		return "", time.Time{}, fmt.Errorf("git log: %q: %w", out, err)
	}
	return hash, time.Unix(unix, 0).UTC(), nil
}

// publish writes the module in root (the files Git tracks or would track:
// the working tree without what .gitignore leaves out) into a file-based
// GOPROXY directory at version v.
func publish(root string, v module.Version, when time.Time, proxy string) error {
	list, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return fmt.Errorf("git ls-files: %w", err)
	}
	var files []modzip.File
	for name := range strings.SplitSeq(strings.TrimSuffix(string(list), "\x00"), "\x00") {
		if _, err := os.Lstat(filepath.Join(root, name)); err == nil {
			files = append(files, dirFile{root: root, name: name})
		}
	}
	dir := filepath.Join(proxy, v.Path, "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var zip bytes.Buffer
	if err := modzip.Create(&zip, v, files); err != nil {
		return fmt.Errorf("module zip: %w", err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return err
	}
	info, err := json.Marshal(map[string]any{"Version": v.Version, "Time": when})
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		"list": []byte(v.Version + "\n"), v.Version + ".info": info, v.Version + ".mod": gomod, v.Version + ".zip": zip.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// dirFile is a file of the working tree, for modzip.Create.
type dirFile struct{ root, name string }

func (f dirFile) Path() string                 { return filepath.ToSlash(f.name) }
func (f dirFile) Lstat() (os.FileInfo, error)  { return os.Lstat(filepath.Join(f.root, f.name)) }
func (f dirFile) Open() (io.ReadCloser, error) { return os.Open(filepath.Join(f.root, f.name)) }
