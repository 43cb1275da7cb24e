package secretscan

import (
	"bytes"
	"encoding/base64"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// git runs the real git binary in dir with a fixed identity.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C",
		"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestRepoFindsRewrittenHistory plants secret values in a repository and
// then removes every trace a branch or a plain file search would show:
// the commit is reset away, the reflog expired, the objects packed
// (compressed and deltified) with the unreachable ones kept. The scan
// still finds each value and names the commit and path; a search of the
// raw files does not, which is why the scan goes through git.
func TestRepoFindsRewrittenHistory(t *testing.T) {
	inBlob, inMessage, inBase64, inRefLog := Canary(), Canary(), Canary(), Canary()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	write(t, filepath.Join(dir, "app", "config.yaml"), "mode: live\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "clean start")
	clean := git(t, dir, "rev-parse", "HEAD")

	write(t, filepath.Join(dir, "app", "secret.yaml"), "stringData:\n  password: "+inBlob+"\n")
	write(t, filepath.Join(dir, "app", "encoded.yaml"), "data:\n  token: "+base64.StdEncoding.EncodeToString([]byte(inBase64))+"\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "leak "+inMessage)
	leaked := git(t, dir, "rev-parse", "HEAD")

	// Rewrite: the branch forgets the commit, then the reflog does.
	git(t, dir, "reset", "-q", "--hard", clean)
	write(t, filepath.Join(dir, "app", "config.yaml"), "mode: maintenance\n")
	git(t, dir, "commit", "-q", "-am", "after the rewrite")
	git(t, dir, "reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all")
	if out := git(t, dir, "log", "--all", "--reflog", "-p"); strings.Contains(out, inBlob) || strings.Contains(out, leaked) {
		t.Fatal("the leaked commit is still reachable: the test would prove nothing")
	}
	git(t, dir, "repack", "-q", "-a", "-d", "-k") // -k: keep unreachable objects, in the pack
	// A reflog entry written by hand (e.g. a tool's message) is plain text.
	git(t, dir, "update-ref", "-m", "moved by "+inRefLog, "refs/heads/other", "HEAD")

	gitDir := filepath.Join(dir, ".git")
	if raw := rawFilesHold(t, filepath.Join(gitDir, "objects"), inBlob, inMessage); raw {
		t.Fatal("the object store holds a value uncompressed: the test would not show the scan reads through git")
	}
	hits, err := Tree(dir)
	if err != nil {
		t.Fatal(err)
	}
	byForm := map[string]Hit{}
	for _, h := range hits {
		switch {
		case h.ObjectType == "blob" && h.Path == "app/secret.yaml":
			byForm["blob"] = h
		case h.ObjectType == "blob" && h.Path == "app/encoded.yaml":
			byForm["base64 blob"] = h
		case h.ObjectType == "commit":
			byForm["commit message"] = h
		case strings.Contains(h.Artifact, filepath.Join("logs", "refs", "heads", "other")):
			byForm["reflog"] = h
		}
	}
	for _, want := range []string{"blob", "base64 blob", "commit message"} {
		h, ok := byForm[want]
		if !ok {
			t.Errorf("no hit in the %s; hits: %v", want, hits)
			continue
		}
		if !slices.Contains(h.Commits, leaked) {
			t.Errorf("%s hit names commits %v, want the rewritten %s", want, h.Commits, leaked)
		}
		if h.Artifact != gitDir {
			t.Errorf("%s hit names %s, want the repository %s", want, h.Artifact, gitDir)
		}
	}
	if h := byForm["base64 blob"]; h.Form != "base64" {
		t.Errorf("the encoded value was found as %q, want base64", h.Form)
	}
	if _, ok := byForm["reflog"]; !ok {
		t.Errorf("no hit in the reflog; hits: %v", hits)
	}
	for _, h := range hits {
		if strings.Contains(h.String(), inBlob) {
			t.Errorf("the report shows the value: %s", h)
		}
	}
}

// rawFilesHold reports whether any file below dir holds one of values as
// it is.
func rawFilesHold(t *testing.T, dir string, values ...string) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		for _, v := range values {
			found = found || bytes.Contains(data, []byte(v))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestRepoFindsCredentialsInConfig: a credential in a remote's URL in the
// repository's configuration, or in packed-refs, is found as well.
func TestRepoFindsCredentialsInConfig(t *testing.T) {
	token := Canary()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "--bare")
	git(t, dir, "remote", "add", "origin", "https://backup:"+token+"@git.example/backup.git")
	hits, err := Repo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Artifact != filepath.Join(dir, "config") {
		t.Errorf("hits = %v, want one in the config", hits)
	}
}

// TestRepoCleanHistory: a repository without any value has no hit (and a
// repository without objects scans fine).
func TestRepoCleanHistory(t *testing.T) {
	Canary()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	if hits, err := Tree(dir); err != nil || len(hits) != 0 {
		t.Fatalf("empty repository: hits %v, error %v", hits, err)
	}
	write(t, filepath.Join(dir, "a.yaml"), "data:\n  password: <redacted:0123456789ab>\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "redacted")
	if hits, err := Tree(dir); err != nil || len(hits) != 0 {
		t.Fatalf("hits %v, error %v", hits, err)
	}
}
