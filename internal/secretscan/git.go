package secretscan

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Repo searches a Git directory (a work tree's .git or a bare repository)
// whole: every object git holds — reachable or not, loose or packed, read
// through `git cat-file --batch-all-objects` since objects are compressed
// on disk — and every other file of the directory as it is (refs,
// packed-refs, reflogs, config, FETCH_HEAD…). A hit in a blob or tree
// names the commits and the path it appears under.
func Repo(gitDir string) ([]Hit, error) {
	gitDir, err := filepath.Abs(gitDir)
	if err != nil {
		return nil, fmt.Errorf("scan repository %s: %w", gitDir, err)
	}
	hits, err := rawGitFiles(gitDir)
	if err != nil {
		return hits, err
	}
	objs, err := objectHits(gitDir)
	hits = append(hits, objs...)
	return hits, err
}

// rawGitFiles searches the Git directory's files other than its object
// store.
func rawGitFiles(gitDir string) ([]Hit, error) {
	var hits []Hit
	err := walk(gitDir, func(p string, d fs.DirEntry) error {
		if d.IsDir() && p == filepath.Join(gitDir, "objects") {
			return filepath.SkipDir // read through git below
		}
		if !d.Type().IsRegular() {
			return nil
		}
		h, err := presentFile(p)
		hits = append(hits, h...)
		return err
	})
	if err != nil {
		return hits, fmt.Errorf("scan repository %s: %w", gitDir, err)
	}
	return hits, nil
}

// objectHits searches every object of the repository.
func objectHits(gitDir string) ([]Hit, error) {
	cmd := gitCommand(gitDir, "cat-file", "--batch-all-objects", "--batch")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("scan repository %s: %w", gitDir, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("scan repository %s: git cat-file: %w", gitDir, err)
	}
	var hits []Hit
	r := bufio.NewReaderSize(out, 1<<16)
	for {
		header, err := r.ReadString('\n')
		if errors.Is(err, io.EOF) && header == "" {
			break
		}
		if err != nil {
			_ = cmd.Wait()
			return hits, fmt.Errorf("scan repository %s: read git cat-file: %w", gitDir, err)
		}
		id, typ, size, err := parseHeader(header)
		if err != nil {
			_ = cmd.Wait()
			return hits, fmt.Errorf("scan repository %s: %w", gitDir, err)
		}
		content := make([]byte, size+1) // and the newline after it
		if _, err := io.ReadFull(r, content); err != nil {
			_ = cmd.Wait()
			return hits, fmt.Errorf("scan repository %s: read object %s: %w", gitDir, id, err)
		}
		for _, h := range Text(gitDir, content[:size]) {
			h.Object, h.ObjectType, h.Line = id, typ, 0
			hits = append(hits, h)
		}
	}
	if err := cmd.Wait(); err != nil {
		return hits, fmt.Errorf("scan repository %s: git cat-file: %w: %s", gitDir, err, stderr.String())
	}
	if len(hits) > 0 {
		locate(gitDir, hits)
	}
	return hits, nil
}

func parseHeader(header string) (id, typ string, size int, err error) {
	f := strings.Fields(header)
	if len(f) != 3 {
		return "", "", 0, fmt.Errorf("unexpected git cat-file header %q", header)
	}
	size, err = strconv.Atoi(f[2])
	if err != nil {
		return "", "", 0, fmt.Errorf("unexpected git cat-file header %q: %w", header, err)
	}
	return f[0], f[1], size, nil
}

// locate fills in, for hits in blobs and trees, the commits (reachable or
// not) whose tree holds the object and its path. A hit in a commit names
// the commit itself.
func locate(gitDir string, hits []Hit) {
	commits := allCommits(gitDir)
	trees := map[string][]string{} // commit → "id path" lines of its tree
	for i := range hits {
		h := &hits[i]
		switch h.ObjectType {
		case "commit":
			h.Commits = []string{h.Object}
			continue
		case "blob", "tree":
		default:
			continue
		}
		for _, c := range commits {
			lines, ok := trees[c]
			if !ok {
				out, err := gitOutput(gitDir, "ls-tree", "-r", "-t", "--full-tree", c)
				if err != nil {
					continue
				}
				lines = strings.Split(strings.TrimSpace(out), "\n")
				trees[c] = lines
			}
			for _, l := range lines {
				// <mode> SP <type> SP <id> TAB <path>
				meta, path, ok := strings.Cut(l, "\t")
				if ok && strings.HasSuffix(meta, " "+h.Object) {
					h.Commits = append(h.Commits, c)
					h.Path = path
					break
				}
			}
		}
		if h.ObjectType == "tree" && h.Path == "" && len(h.Commits) > 0 {
			h.Path = "/" // a commit's root tree
		}
	}
}

// allCommits lists every commit object, reachable or not.
func allCommits(gitDir string) []string {
	out, err := gitOutput(gitDir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)")
	if err != nil {
		return nil
	}
	var commits []string
	for _, l := range strings.Split(out, "\n") {
		if id, typ, ok := strings.Cut(l, " "); ok && typ == "commit" {
			commits = append(commits, id)
		}
	}
	return commits
}

// gitCommand runs git on gitDir without system or global configuration,
// whoever owns the directory.
func gitCommand(gitDir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", append([]string{"-c", "safe.directory=*", "--git-dir", gitDir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C")
	return cmd
}

func gitOutput(gitDir string, args ...string) (string, error) {
	cmd := gitCommand(gitDir, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}
